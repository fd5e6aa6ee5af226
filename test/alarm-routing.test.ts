/**
 * A topic the user passes is where every alarm of that construct goes, including the alarms of
 * constructs it creates inside itself (HardenedRestApi's own JwtAuthorizer).
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as sns from 'aws-cdk-lib/aws-sns';
import { HardenedRestApi, JwtAuthorizer, RotatingJwtSecret } from '../src';
import { testStack } from './helpers/stack';

const ROLE_MAP = {
  rolePermissions: { user: ['orders:read'] },
  permissionMethods: { 'orders:read': ['GET /orders'] },
};

function alarmActions(template: Template): unknown[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).flatMap((a) => a.Properties.AlarmActions);
}

describe('alarms go to the topic the user passes', () => {
  test('HardenedRestApi: the API alarms and its own authorizer\'s security-event alarms all notify alarmTopic', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'OnCall');
    const signingKeys = new RotatingJwtSecret(stack, 'Keys', { alarmTopic: topic });
    const api = new HardenedRestApi(stack, 'Api', {
      signingKeys, issuer: 'https://auth.example.com', audience: 'orders', ...ROLE_MAP, alarmTopic: topic,
    });
    api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
    const template = Template.fromStack(stack);

    const topicRef = { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
    const actions = alarmActions(template);
    expect(actions.length).toBeGreaterThanOrEqual(3 + 3); // the API's alarms and the authorizer's three
    expect(actions.every((a) => JSON.stringify(a) === JSON.stringify(topicRef))).toBe(true);
    expect(api.jwtAuthorizer!.alarmTopic).toBe(topic);
    // Nothing fell back to the stack's default notification topic.
    template.resourceCountIs('AWS::SNS::Topic', 1);
  });

  test('JwtAuthorizer: alarmTopic receives the security-event alarms', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'OnCall');
    const signingKeys = new RotatingJwtSecret(stack, 'Keys', { alarmTopic: topic });
    const authorizer = new JwtAuthorizer(stack, 'Authorizer', { signingKeys, issuer: 'https://auth.example.com', audience: 'orders', ...ROLE_MAP, alarmTopic: topic });
    const api = new apigateway.RestApi(stack, 'Api');
    api.root.addResource('orders').addMethod('GET', new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });
    const template = Template.fromStack(stack);
    const topicRef = { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
    const actions = alarmActions(template);
    expect(actions.length).toBeGreaterThanOrEqual(3);
    expect(actions).toEqual(actions.map(() => topicRef));
    template.resourceCountIs('AWS::SNS::Topic', 1);
  });
});
