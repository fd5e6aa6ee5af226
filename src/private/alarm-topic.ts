import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { createEncryptionKey } from './encryption-key';

/**
 * The SNS topic a construct's alarms go to when the user passes none: KMS-encrypted with a
 * key of its own and an SSL-only topic policy. CloudWatch alarms and EventBridge rules of this
 * account may use the key to publish; nothing else is granted.
 */
export function createAlarmTopic(scope: Construct, id: string, displayName: string): sns.Topic {
  const key = createEncryptionKey(scope, `${id}Key`, `Encrypts the ${displayName} alarm topic`);
  const account = Stack.of(scope).account;
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowAlarmPublishersOfThisAccount',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': account } },
  }));
  return new sns.Topic(scope, id, { displayName, masterKey: key, enforceSSL: true });
}

/** Lets an EventBridge rule of this account publish to `topic` (the rule ARN is the SourceArn). */
export function allowEventRulePublish(topic: sns.ITopic, ruleArn: string): void {
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowEventBridgeRule',
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } },
  }));
}
