import { RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { RotatingJwtSecret } from '../../src/jwt-keys/rotating-jwt-secret';
import { ApiGatewayCloudWatchRole } from '../../src/rest-api/api-gateway-cloudwatch-role';
import { HardenedRestApi } from '../../src/rest-api/hardened-rest-api';
import { expectSecureTemplate } from '../helpers/gates';
import { testStack } from '../helpers/stack';

const RBAC = {
  issuer: 'https://issuer.example.com',
  audience: 'orders-api',
  rolePermissions: { user: ['orders:read'] },
  permissionMethods: { 'orders:read': ['GET /orders'] },
};

describe('ApiGatewayCloudWatchRole', () => {
  const stack = testStack();
  const account = new ApiGatewayCloudWatchRole(stack, 'ApiGatewayAccount');
  const template = Template.fromStack(stack);

  test('sets the account setting to a role API Gateway assumes, both retained', () => {
    template.hasResource('AWS::ApiGateway::Account', {
      Properties: { CloudWatchRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiGatewayAccountRole'), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
    template.hasResource('AWS::IAM::Role', {
      Properties: Match.objectLike({
        AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] }),
      }),
      DeletionPolicy: 'Retain',
    });
  });

  test('is refused a second time in the same stack', () => {
    const s = testStack();
    new ApiGatewayCloudWatchRole(s, 'ApiGatewayAccount');
    expect(() => new ApiGatewayCloudWatchRole(s, 'Again')).toThrow(/Again: scope already holds the account's API Gateway CloudWatch role \(TestStack\/ApiGatewayAccount\)/);
  });

  test('may be destroyed with the stack when asked', () => {
    const s = testStack();
    new ApiGatewayCloudWatchRole(s, 'A', { removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(s).hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Delete' });
  });

  test('has zero unacknowledged findings and passes cfn-lint', () => {
    expectSecureTemplate({ stack, nagScopes: [account] });
  });
});

describe('HardenedRestApi and the account CloudWatch role', () => {
  function api(withRole: boolean): { stack: ReturnType<typeof testStack> } {
    const stack = testStack();
    const keys = new RotatingJwtSecret(stack, 'Keys');
    const cloudWatchAccount = withRole ? new ApiGatewayCloudWatchRole(stack, 'ApiGatewayAccount') : undefined;
    const a = new HardenedRestApi(stack, 'Api', { signingKeys: keys, ...RBAC, cloudWatchAccount });
    a.addMethod('/orders', 'GET', new apigateway.MockIntegration());
    return { stack };
  }

  test('warns at synth when stage logging has no role configured', () => {
    const { stack } = api(false);
    Annotations.fromStack(stack).hasWarning('/TestStack/Api', Match.stringLikeRegexp("needs the account's API Gateway CloudWatch role.*ApiGatewayCloudWatchRole"));
  });

  test('deploys the stage after the account setting when given one, without the warning', () => {
    const { stack } = api(true);
    const template = Template.fromStack(stack);
    const account = Object.keys(template.findResources('AWS::ApiGateway::Account'))[0];
    expect(Object.values(template.findResources('AWS::ApiGateway::Stage'))[0].DependsOn).toContain(account);
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Api', Match.stringLikeRegexp('CloudWatch role'));
  });
});
