import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { StatementSink, describe, pascal, viaServiceStatement, wildcardResourceFinding } from './statement-sink';
import { secretKeyUseConditions } from '../../shared/secret-key-use';
import { ValidationError } from '../../shared/validation';
import {
  KeyPermission, KeyUse, QueueAccess, QueuePermission, TableAccessLevel, TablePermission,
} from '../least-privilege-permissions';

export function grantSecretRead(sink: StatementSink, secret: secretsmanager.ISecret, prop: string, i: number): void {
  // A secret imported by name has a partial ARN: match its 6-character suffix, as aws-cdk-lib does.
  const secretArn = secret.secretFullArn ?? `${secret.secretArn}-??????`;
  sink.place(new iam.PolicyStatement({
    sid: `ReadSecret${i}`,
    actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
    resources: [secretArn],
  }), prop);
  if (secret.encryptionKey) {
    sink.place(new iam.PolicyStatement({
      sid: `DecryptSecret${i}`,
      actions: ['kms:Decrypt'],
      resources: [secret.encryptionKey.keyArn],
      conditions: secretKeyUseConditions(sink.scope, secret.secretFullArn ?? secret.secretArn),
    }), prop);
  }
}

export function grantTable(sink: StatementSink, permission: TablePermission, prop: string, i: number): void {
  const access = permission.access;
  if (!(access instanceof TableAccessLevel)) {
    throw new ValidationError(sink.scope, `${prop}.access`, `must be one of TableAccessLevel.READ, TableAccessLevel.WRITE, TableAccessLevel.READ_WRITE, got ${describe(access)}`);
  }
  const indexNames = permission.indexNames ?? [];
  for (const [flag, set] of [['indexNames', indexNames.length > 0], ['allIndexes', permission.allIndexes], ['allowScan', permission.allowScan]] as const) {
    if (set && !access.reads) {
      throw new ValidationError(sink.scope, `${prop}.${flag}`, `needs an access level that reads (READ or READ_WRITE), got TableAccessLevel.${access.name}`);
    }
  }
  const tableArn = permission.table.tableArn;
  const actions = new Set<string>(['dynamodb:DescribeTable']);
  if (access.reads) ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query'].forEach((a) => actions.add(a));
  if (access.reads && permission.allowScan) actions.add('dynamodb:Scan');
  if (access.writes) ['dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].forEach((a) => actions.add(a));
  sink.place(new iam.PolicyStatement({
    sid: `${pascal(access.name)}Table${i}`,
    actions: [...actions].sort(),
    resources: [tableArn],
  }), `${prop}.table`);

  const indexArns = permission.allIndexes ? [`${tableArn}/index/*`] : indexNames.map((name) => `${tableArn}/index/${name}`);
  if (indexArns.length > 0) {
    sink.place(new iam.PolicyStatement({
      sid: `QueryTable${i}Indexes`,
      actions: permission.allowScan ? ['dynamodb:Query', 'dynamodb:Scan'] : ['dynamodb:Query'],
      resources: indexArns,
    }), permission.allIndexes ? `${prop}.allIndexes` : `${prop}.indexNames`, permission.allIndexes ? [wildcardResourceFinding(sink.scope, indexArns[0],
      'allIndexes was set: the function may query every secondary index of this one table. ' +
      'Pass indexNames instead to grant the named indexes only.')] : []);
  }
  const key = permission.table.encryptionKey;
  if (key) {
    const keyActions = access.writes ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'];
    sink.place(viaServiceStatement(sink.scope, `UseTable${i}Key`, keyActions, key.keyArn, 'dynamodb'), `${prop}.table`);
  }
}

export function grantKey(sink: StatementSink, permission: KeyPermission, prop: string, i: number): void {
  if (!(permission.use instanceof KeyUse)) {
    throw new ValidationError(sink.scope, `${prop}.use`, `must be one of KeyUse.ENCRYPT, KeyUse.DECRYPT, KeyUse.ENCRYPT_DECRYPT, KeyUse.GENERATE_DATA_KEY, got ${describe(permission.use)}`);
  }
  sink.place(new iam.PolicyStatement({
    sid: `${pascal(permission.use.name)}WithKey${i}`,
    actions: permission.use.actions,
    resources: [permission.key.keyArn],
  }), `${prop}.key`);
}

export function grantQueue(sink: StatementSink, permission: QueuePermission, prop: string, i: number): void {
  const access = permission.access;
  if (!(access instanceof QueueAccess)) {
    throw new ValidationError(sink.scope, `${prop}.access`, `must be one of QueueAccess.SEND, QueueAccess.CONSUME, got ${describe(access)}`);
  }
  sink.place(new iam.PolicyStatement({
    sid: `${pascal(access.name)}Queue${i}`,
    actions: access.actions,
    resources: [permission.queue.queueArn],
  }), `${prop}.queue`);
  const key = permission.queue.encryptionMasterKey;
  if (key) sink.place(viaServiceStatement(sink.scope, `UseQueue${i}Key`, access.keyActions, key.keyArn, 'sqs'), `${prop}.queue`);
}

export function grantPublish(sink: StatementSink, topic: sns.ITopic, prop: string, i: number): void {
  sink.place(new iam.PolicyStatement({
    sid: `PublishToTopic${i}`,
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
  }), prop);
  if (topic.masterKey) {
    sink.place(viaServiceStatement(sink.scope, `UseTopic${i}Key`, ['kms:Decrypt', 'kms:GenerateDataKey'], topic.masterKey.keyArn, 'sns'), prop);
  }
}
