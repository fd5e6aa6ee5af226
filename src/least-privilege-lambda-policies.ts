import { ArnFormat, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from './private/acknowledge';
import { checkStatements, fromStatementJson } from './private/checks';
import { flattenForFinding } from './private/nag-finding';
import {
  DEFAULT_MAX_MANAGED_POLICIES_PER_ROLE, DOCUMENT_OVERHEAD_CHARS, MANAGED_POLICY_MAX_CHARS, estimatedChars, firstFit,
} from './private/policy-splitting';
import { secretKeyUseConditions } from './private/secret-key-use';
import { ValidationError, validateNumberRange } from './private/validation';

/**
 * What a function may do with a DynamoDB table.
 */
export class TableAccessLevel {
  /** Read items: GetItem, BatchGetItem, Query, ConditionCheckItem, DescribeTable (Scan only with `allowScan`). */
  public static readonly READ = new TableAccessLevel('READ', true, false);

  /** Write items: PutItem, UpdateItem, DeleteItem, BatchWriteItem, ConditionCheckItem, DescribeTable. */
  public static readonly WRITE = new TableAccessLevel('WRITE', false, true);

  /** Both READ and WRITE. */
  public static readonly READ_WRITE = new TableAccessLevel('READ_WRITE', true, true);

  /**
   * @param name the level's name, as in `TableAccessLevel.<name>`
   * @param reads whether the level reads items
   * @param writes whether the level writes items
   */
  private constructor(public readonly name: string, public readonly reads: boolean, public readonly writes: boolean) {}
}

/**
 * How a function uses a KMS key directly (not through another service).
 */
export class KeyUse {
  /** `kms:Encrypt`. */
  public static readonly ENCRYPT = new KeyUse('ENCRYPT', ['kms:Encrypt']);

  /** `kms:Decrypt`. */
  public static readonly DECRYPT = new KeyUse('DECRYPT', ['kms:Decrypt']);

  /** `kms:Encrypt` and `kms:Decrypt`. */
  public static readonly ENCRYPT_DECRYPT = new KeyUse('ENCRYPT_DECRYPT', ['kms:Encrypt', 'kms:Decrypt']);

  /** `kms:GenerateDataKey` (envelope encryption; add DECRYPT to read the data back). */
  public static readonly GENERATE_DATA_KEY = new KeyUse('GENERATE_DATA_KEY', ['kms:GenerateDataKey']);

  /**
   * @param name the use's name, as in `KeyUse.<name>`
   * @param actions the KMS actions it allows
   */
  private constructor(public readonly name: string, public readonly actions: string[]) {}
}

/**
 * What a function may do with an SQS queue.
 */
export class QueueAccess {
  /** SendMessage, GetQueueAttributes, GetQueueUrl (and GenerateDataKey/Decrypt on the queue's key through SQS). */
  public static readonly SEND = new QueueAccess('SEND',
    ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], ['kms:Decrypt', 'kms:GenerateDataKey']);

  /** ReceiveMessage, DeleteMessage, ChangeMessageVisibility, GetQueueAttributes, GetQueueUrl (and Decrypt through SQS). */
  public static readonly CONSUME = new QueueAccess('CONSUME',
    ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
    ['kms:Decrypt']);

  /**
   * @param name the access's name, as in `QueueAccess.<name>`
   * @param actions the SQS actions it allows
   * @param keyActions the KMS actions it needs on an encrypted queue's key
   */
  private constructor(public readonly name: string, public readonly actions: string[], public readonly keyActions: string[]) {}
}

/**
 * A DynamoDB table the function uses, and how.
 */
export interface TablePermission {
  /** The table. */
  readonly table: dynamodb.ITable;

  /** What the function does with the table's items. */
  readonly access: TableAccessLevel;

  /**
   * Names of the table's secondary indexes the function queries; each gets its exact ARN
   * (`table/<name>/index/<index>`). Needs an access level that reads.
   *
   * @default - no index access
   */
  readonly indexNames?: string[];

  /**
   * Query every index of the table (`table/<name>/index/*`). Prefer `indexNames`; this writes a
   * wildcard, acknowledged for cdk-nag with its exact finding. Needs an access level that reads.
   *
   * @default false
   */
  readonly allIndexes?: boolean;

  /**
   * Also allow `dynamodb:Scan` (on the table and on the granted indexes). A scan reads every
   * item; most functions need Query or GetItem only. Needs an access level that reads.
   *
   * @default false
   */
  readonly allowScan?: boolean;
}

/**
 * A KMS key the function calls directly, and for what.
 */
export interface KeyPermission {
  /** The key. */
  readonly key: kms.IKey;

  /** What the function does with the key. */
  readonly use: KeyUse;
}

/**
 * An SQS queue the function uses, and how.
 */
export interface QueuePermission {
  /** The queue. */
  readonly queue: sqs.IQueue;

  /** Send to or consume from the queue. */
  readonly access: QueueAccess;
}

/**
 * Properties for LeastPrivilegeLambdaPolicies. Give `function`, or `role` and `logGroup`.
 */
export interface LeastPrivilegeLambdaPoliciesProps {
  /**
   * The function whose execution role gets the policies. Its role loses the AWS managed
   * policies the Lambda L2 attached (AWSLambdaBasicExecutionRole, AWSLambdaVPCAccessExecutionRole)
   * and its inline DefaultPolicy (statements already in it are moved into the managed policies
   * and checked like `addStatements`).
   *
   * @default - `role` must be given
   */
  readonly function?: lambda.IFunction;

  /**
   * The execution role, when the function is not given (for example a role created before its
   * function). Ignored in favour of the function's own role when `function` is given.
   *
   * @default - the role of `function`
   */
  readonly role?: iam.IRole;

  /**
   * The function's log group: the only log group it may write to.
   *
   * @default - the log group in the function's LoggingConfig, else `/aws/lambda/<function name>`
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * Allow X-Ray trace submission (`xray:PutTraceSegments`, `xray:PutTelemetryRecords` on `*`,
   * the only actions this construct grants on `*`: they have no resource type).
   *
   * @default - true when the function's tracing mode is Active or PassThrough
   */
  readonly tracing?: boolean;

  /**
   * Secrets the function reads (GetSecretValue, DescribeSecret on each exact ARN), with
   * `kms:Decrypt` on each secret's key through Secrets Manager for that secret only.
   *
   * @default - no secret
   */
  readonly secrets?: secretsmanager.ISecret[];

  /**
   * DynamoDB tables the function uses (with the key of an encrypted table, through DynamoDB).
   *
   * @default - no table
   */
  readonly tables?: TablePermission[];

  /**
   * KMS keys the function calls directly.
   *
   * @default - no key
   */
  readonly keys?: KeyPermission[];

  /**
   * SQS queues the function sends to or consumes from.
   *
   * @default - no queue
   */
  readonly queues?: QueuePermission[];

  /**
   * SNS topics the function publishes to (with the key of an encrypted topic, through SNS).
   *
   * @default - no topic
   */
  readonly publishTopics?: sns.ITopic[];

  /**
   * Further statements, checked like `addStatements`.
   *
   * @default - none
   */
  readonly statements?: iam.PolicyStatement[];

  /**
   * How many managed policies the role may have in all (this construct's and any other
   * attached through the role). IAM's default quota is 10 per role, adjustable to 20.
   *
   * @default 10
   */
  readonly maxManagedPolicies?: number;
}

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
const CAPACITY = MANAGED_POLICY_MAX_CHARS - DOCUMENT_OVERHEAD_CHARS;

/**
 * Customer managed policies, with exact ARNs, for one Lambda function's execution role, and
 * nothing else on that role: no AWS managed policy and no inline policy.
 *
 * Every statement is checked as `LeastPrivilegeChecker` checks (no `*` or `service:*` action,
 * no `NotAction`/`NotResource`, `Resource: '*'` only for actions with no resource type): a
 * statement that fails is a `ValidationError` naming the prop it came from. Statements are
 * packed into as many managed policies as IAM's 6,144-character limit needs, and more than
 * `maxManagedPolicies` on the role is a `ValidationError`.
 *
 * The role's inline DefaultPolicy is taken over when this construct is created: its
 * statements move into the managed policies and it is removed from the tree. Grants made on
 * the function or role after that (`table.grantReadData(fn)`, `fn.addToRolePolicy(...)`) would
 * land in an inline policy or be lost, so synthesis fails and names `addStatements`: grant
 * through this construct instead.
 */
export class LeastPrivilegeLambdaPolicies extends Construct {
  /** The execution role that the policies are attached to. */
  public readonly role: iam.IRole;

  /** The name of the only log group the function may write to. */
  public readonly logGroupName: string;

  /** Whether X-Ray trace submission is granted. */
  public readonly tracing: boolean;

  private readonly managedPolicies: iam.ManagedPolicy[] = [];
  private readonly usedChars: number[] = [];
  private readonly maxManagedPolicies: number;
  private readonly sids = new Set<string>();
  private readonly takenOverDefaultPolicy?: iam.Policy;
  private readonly takenOverStatementCount: number = 0;

  constructor(scope: Construct, id: string, props: LeastPrivilegeLambdaPoliciesProps) {
    super(scope, id);
    const fn = props.function;
    if (!fn && !props.role) {
      throw new ValidationError(this, 'function', 'or role is required: the policies need a role to attach to');
    }
    const role = fn ? fn.role : props.role;
    if (!role) {
      throw new ValidationError(this, 'function', `${fn!.node.path} has no execution role this stack can attach policies to; pass role`);
    }
    this.role = role;
    validateNumberRange(this, 'maxManagedPolicies', props.maxManagedPolicies, 1, 20);
    this.maxManagedPolicies = props.maxManagedPolicies ?? DEFAULT_MAX_MANAGED_POLICIES_PER_ROLE;

    const cfnFunction = fn?.node.defaultChild instanceof lambda.CfnFunction ? fn.node.defaultChild : undefined;
    const logGroupName = props.logGroup?.logGroupName ?? loggingConfigLogGroup(cfnFunction) ?? (fn ? `/aws/lambda/${fn.functionName}` : undefined);
    if (!logGroupName) {
      throw new ValidationError(this, 'logGroup', 'is required when function is not given: it names the only log group the function may write to');
    }
    this.logGroupName = logGroupName;
    this.tracing = props.tracing ?? tracingEnabled(cfnFunction);

    const cfnRole = role.node.defaultChild instanceof iam.CfnRole ? role.node.defaultChild : undefined;
    if (cfnRole) removeAwsManagedPolicies(cfnRole);

    // Take over the inline DefaultPolicy: what is already in it moves into the managed policies.
    const defaultPolicy = role.node.tryFindChild('DefaultPolicy');
    let inherited: iam.PolicyStatement[] = [];
    if (defaultPolicy instanceof iam.Policy) {
      const document = defaultPolicy.document.toJSON() as { Statement?: unknown[] } | undefined;
      inherited = (document?.Statement ?? [])
        .map((s) => iam.PolicyStatement.fromJson(s))
        .filter((s) => !(this.tracing && isLambdaTracingStatement(s)));
      role.node.tryRemoveChild('DefaultPolicy');
      this.takenOverDefaultPolicy = defaultPolicy;
      this.takenOverStatementCount = defaultPolicy.document.statementCount;
    }

    this.grantOwnLogGroup();
    if (this.tracing) this.grantTracing();
    if (fn?.isBoundToVpc) this.grantNetworkInterfaces(cfnFunction);
    (props.secrets ?? []).forEach((secret, i) => this.grantSecretRead(secret, `secrets[${i}]`, i));
    (props.tables ?? []).forEach((table, i) => this.grantTable(table, `tables[${i}]`, i));
    (props.keys ?? []).forEach((key, i) => this.grantKey(key, `keys[${i}]`, i));
    (props.queues ?? []).forEach((queue, i) => this.grantQueue(queue, `queues[${i}]`, i));
    (props.publishTopics ?? []).forEach((topic, i) => this.grantPublish(topic, `publishTopics[${i}]`, i));
    inherited.forEach((s, i) => this.place(s, `function's DefaultPolicy statement ${i} (granted before this construct)`));
    (props.statements ?? []).forEach((s, i) => this.place(s, `statements[${i}]`));

    this.node.addValidation({ validate: () => this.validateRole() });
  }

  /** The managed policies this construct attached to the role, in creation order. */
  public get policies(): iam.ManagedPolicy[] {
    return [...this.managedPolicies];
  }

  /**
   * Adds statements to the function's managed policies. Each must pass the least-privilege
   * checks (no `*` or `service:*` action, no NotAction/NotResource, `Resource: '*'` only for
   * actions with no resource type) and fit in one managed policy; otherwise this throws a
   * ValidationError naming `addStatements`.
   */
  public addStatements(...statements: iam.PolicyStatement[]): void {
    statements.forEach((s, i) => this.place(s, `addStatements[${i}]`));
  }

  private grantOwnLogGroup(): void {
    const logStreams = Stack.of(this).formatArn({
      service: 'logs', resource: 'log-group', resourceName: `${this.logGroupName}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.place(new iam.PolicyStatement({
      sid: 'WriteOwnLogGroup',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logStreams],
    }), 'logGroup', [{
      id: `AwsSolutions-IAM5[Resource::${flattenForFinding(this, logStreams)}]`,
      reason: 'Lambda names its log streams at run time, so the stream part of the ARN cannot be known at deploy time; ' +
        'the wildcard is confined to streams of this function\'s own log group.',
    }]);
  }

  private grantTracing(): void {
    this.place(new iam.PolicyStatement({ sid: 'SendXRayTraces', actions: XRAY_ACTIONS, resources: ['*'] }), 'tracing', [{
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords have no resource type (Service Authorization Reference), ' +
        'so IAM accepts only "*" for them; the statement grants these two actions only. Set tracing: false to drop it.',
    }]);
  }

  /**
   * Lambda creates and deletes the network interfaces of a VPC function with the execution
   * role (what AWSLambdaVPCAccessExecutionRole grants), checked when the function is created.
   */
  private grantNetworkInterfaces(cfnFunction: lambda.CfnFunction | undefined): void {
    const stack = Stack.of(this);
    const vpcConfig = cfnFunction?.vpcConfig as lambda.CfnFunction.VpcConfigProperty | undefined;
    const ids = (value: unknown): string[] | undefined =>
      Array.isArray(value) && !Token.isUnresolved(value) ? value as string[] : undefined;
    const subnetIds = ids(vpcConfig?.subnetIds);
    const securityGroupIds = ids(vpcConfig?.securityGroupIds);
    const ec2Arn = (resource: string, resourceName: string) => stack.formatArn({ service: 'ec2', resource, resourceName });
    const networkInterfaces = ec2Arn('network-interface', '*');
    const resources = [
      networkInterfaces,
      ...(subnetIds ? subnetIds.map((s) => ec2Arn('subnet', s)) : [ec2Arn('subnet', '*')]),
      ...(securityGroupIds ? securityGroupIds.map((s) => ec2Arn('security-group', s)) : [ec2Arn('security-group', '*')]),
    ];
    const wildcardReason = 'Lambda creates the function\'s network interfaces at deploy and scaling time, so their ids ' +
      'cannot be known in advance; the wildcard is confined to network interfaces in this account and Region.';
    this.place(new iam.PolicyStatement({
      sid: 'ManageVpcNetworkInterfaces',
      actions: ['ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:UnassignPrivateIpAddresses'],
      resources,
    }), 'function', resources.filter((r) => flattenForFinding(this, r).includes('*')).map((r) => ({
      id: `AwsSolutions-IAM5[Resource::${flattenForFinding(this, r)}]`, reason: wildcardReason,
    })));
    this.place(new iam.PolicyStatement({
      sid: 'DescribeVpcNetworkInterfaces',
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      resources: ['*'],
    }), 'function', [{
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets have no resource type (Service Authorization Reference), ' +
        'so IAM accepts only "*" for them; Lambda needs them to attach a VPC function to its subnets.',
    }]);
  }

  private grantSecretRead(secret: secretsmanager.ISecret, prop: string, i: number): void {
    // A secret imported by name has a partial ARN: match its 6-character suffix, as aws-cdk-lib does.
    const secretArn = secret.secretFullArn ?? `${secret.secretArn}-??????`;
    this.place(new iam.PolicyStatement({
      sid: `ReadSecret${i}`,
      actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      resources: [secretArn],
    }), prop);
    if (secret.encryptionKey) {
      this.place(new iam.PolicyStatement({
        sid: `DecryptSecret${i}`,
        actions: ['kms:Decrypt'],
        resources: [secret.encryptionKey.keyArn],
        conditions: secretKeyUseConditions(this, secret.secretFullArn ?? secret.secretArn),
      }), prop);
    }
  }

  private grantTable(permission: TablePermission, prop: string, i: number): void {
    const access = permission.access;
    if (!(access instanceof TableAccessLevel)) {
      throw new ValidationError(this, `${prop}.access`, `must be one of TableAccessLevel.READ, TableAccessLevel.WRITE, TableAccessLevel.READ_WRITE, got ${describe(access)}`);
    }
    const indexNames = permission.indexNames ?? [];
    for (const [flag, set] of [['indexNames', indexNames.length > 0], ['allIndexes', permission.allIndexes], ['allowScan', permission.allowScan]] as const) {
      if (set && !access.reads) {
        throw new ValidationError(this, `${prop}.${flag}`, `needs an access level that reads (READ or READ_WRITE), got TableAccessLevel.${access.name}`);
      }
    }
    const tableArn = permission.table.tableArn;
    const actions = new Set<string>(['dynamodb:DescribeTable']);
    if (access.reads) ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query'].forEach((a) => actions.add(a));
    if (access.reads && permission.allowScan) actions.add('dynamodb:Scan');
    if (access.writes) ['dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].forEach((a) => actions.add(a));
    this.place(new iam.PolicyStatement({
      sid: `${pascal(access.name)}Table${i}`,
      actions: [...actions].sort(),
      resources: [tableArn],
    }), `${prop}.table`);

    const indexArns = permission.allIndexes ? [`${tableArn}/index/*`] : indexNames.map((name) => `${tableArn}/index/${name}`);
    if (indexArns.length > 0) {
      this.place(new iam.PolicyStatement({
        sid: `QueryTable${i}Indexes`,
        actions: permission.allowScan ? ['dynamodb:Query', 'dynamodb:Scan'] : ['dynamodb:Query'],
        resources: indexArns,
      }), permission.allIndexes ? `${prop}.allIndexes` : `${prop}.indexNames`, permission.allIndexes ? [{
        id: `AwsSolutions-IAM5[Resource::${flattenForFinding(this, indexArns[0])}]`,
        reason: 'allIndexes was set: the function may query every secondary index of this one table. ' +
          'Pass indexNames instead to grant the named indexes only.',
      }] : []);
    }
    const key = permission.table.encryptionKey;
    if (key) {
      const keyActions = access.writes ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'];
      this.place(this.viaServiceStatement(`UseTable${i}Key`, keyActions, key, 'dynamodb'), `${prop}.table`);
    }
  }

  private grantKey(permission: KeyPermission, prop: string, i: number): void {
    if (!(permission.use instanceof KeyUse)) {
      throw new ValidationError(this, `${prop}.use`, `must be one of KeyUse.ENCRYPT, KeyUse.DECRYPT, KeyUse.ENCRYPT_DECRYPT, KeyUse.GENERATE_DATA_KEY, got ${describe(permission.use)}`);
    }
    this.place(new iam.PolicyStatement({
      sid: `${pascal(permission.use.name)}WithKey${i}`,
      actions: permission.use.actions,
      resources: [permission.key.keyArn],
    }), `${prop}.key`);
  }

  private grantQueue(permission: QueuePermission, prop: string, i: number): void {
    const access = permission.access;
    if (!(access instanceof QueueAccess)) {
      throw new ValidationError(this, `${prop}.access`, `must be one of QueueAccess.SEND, QueueAccess.CONSUME, got ${describe(access)}`);
    }
    this.place(new iam.PolicyStatement({
      sid: `${pascal(access.name)}Queue${i}`,
      actions: access.actions,
      resources: [permission.queue.queueArn],
    }), `${prop}.queue`);
    const key = permission.queue.encryptionMasterKey;
    if (key) this.place(this.viaServiceStatement(`UseQueue${i}Key`, access.keyActions, key, 'sqs'), `${prop}.queue`);
  }

  private grantPublish(topic: sns.ITopic, prop: string, i: number): void {
    this.place(new iam.PolicyStatement({
      sid: `PublishToTopic${i}`,
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
    }), prop);
    if (topic.masterKey) {
      this.place(this.viaServiceStatement(`UseTopic${i}Key`, ['kms:Decrypt', 'kms:GenerateDataKey'], topic.masterKey, 'sns'), prop);
    }
  }

  private viaServiceStatement(sid: string, actions: string[], key: kms.IKey, service: string): iam.PolicyStatement {
    const stack = Stack.of(this);
    return new iam.PolicyStatement({
      sid,
      actions,
      resources: [key.keyArn],
      // kms:ViaService names the service endpoint as `<service>.<region>.amazonaws.com` (as grantRotation does).
      conditions: { StringEquals: { 'kms:ViaService': `${service}.${stack.region}.amazonaws.com` } },
    });
  }

  /**
   * Checks one statement, then puts it in the first managed policy it fits in (a new one when
   * none has room). `prop` names where the statement came from in every error.
   */
  private place(statement: iam.PolicyStatement, prop: string, acknowledgements: Acknowledgement[] = []): void {
    const json = Stack.of(this).resolve(statement.toStatementJson());
    const findings = checkStatements([fromStatementJson(this.node.path, prop, json)]);
    if (findings.length > 0) {
      throw new ValidationError(this, prop, `is not least-privilege: ${findings.map((f) => `${f.findingId} (${f.message.slice(f.message.indexOf(': ') + 2)})`).join('; ')}`);
    }
    const size = estimatedChars(this, json) + 1;
    if (size > CAPACITY) {
      throw new ValidationError(this, prop, `gives a statement of about ${size} characters once deployed, more than one managed policy holds ` +
        `(${MANAGED_POLICY_MAX_CHARS} characters without white space, ${CAPACITY} after the document wrapper); split it into smaller statements`);
    }
    if (statement.sid && this.sids.has(statement.sid)) {
      throw new ValidationError(this, prop, `reuses Sid ${statement.sid}; Sids must be unique across the function's policies`);
    }
    if (statement.sid) this.sids.add(statement.sid);

    const bin = firstFit(this.usedChars, size, CAPACITY);
    if (bin === this.managedPolicies.length) {
      const total = this.otherManagedPolicyCount() + bin + 1;
      if (total > this.maxManagedPolicies) {
        throw new ValidationError(this, prop, `would need managed policy ${bin + 1} of this construct, ${total} on role ${this.role.node.path} in all, ` +
          `more than maxManagedPolicies (${this.maxManagedPolicies}; IAM's default quota of managed policies per role is 10): ` +
          'each holds 6,144 characters. Grant fewer or coarser-grained resources, or raise the quota and maxManagedPolicies');
      }
      this.managedPolicies.push(new iam.ManagedPolicy(this, bin === 0 ? 'Policy' : `Policy${bin + 1}`, {
        description: `Least-privilege permissions of ${this.node.path} (${bin + 1})`.slice(0, 1000),
        roles: [this.role],
      }));
      this.usedChars.push(0);
    }
    this.usedChars[bin] += size;
    const policy = this.managedPolicies[bin];
    policy.addStatements(statement);
    for (const ack of acknowledgements) acknowledge(policy, ack.id, ack.reason);
  }

  /** Customer managed policies attached through the role itself (AWS managed ones are removed). */
  private otherManagedPolicyCount(): number {
    const cfnRole = this.role.node.defaultChild;
    if (!(cfnRole instanceof iam.CfnRole)) return 0;
    const arns = Stack.of(this).resolve(cfnRole.managedPolicyArns) as unknown[] | undefined;
    return (arns ?? []).length;
  }

  private validateRole(): string[] {
    const added = (this.takenOverDefaultPolicy?.document.statementCount ?? 0) - this.takenOverStatementCount;
    const current = this.role.node.tryFindChild('DefaultPolicy');
    const inline = current instanceof iam.Policy ? current.document.statementCount : 0;
    if (added > 0 || inline > 0) {
      throw new ValidationError(this, 'addStatements', `must be used to grant role ${this.role.node.path} more permissions: ` +
        `${added + inline} statement(s) were added to its inline DefaultPolicy after this construct took the role over ` +
        '(by a grant*() or addToRolePolicy() call); they would be an inline policy or not be deployed at all');
    }
    const total = this.otherManagedPolicyCount() + this.managedPolicies.length;
    if (total > this.maxManagedPolicies) {
      throw new ValidationError(this, 'maxManagedPolicies', `is ${this.maxManagedPolicies}, but role ${this.role.node.path} has ${total} managed policies ` +
        `(${this.managedPolicies.length} from this construct): IAM rejects more than its quota of managed policies per role (10 by default)`);
    }
    return [];
  }
}

/** Drops AWS managed policies (`arn:<partition>:iam::aws:policy/...`) from the role, keeping customer managed ones. */
function removeAwsManagedPolicies(cfnRole: iam.CfnRole): void {
  const original = cfnRole.managedPolicyArns;
  cfnRole.managedPolicyArns = Lazy.list({
    produce: () => {
      const arns = (Stack.of(cfnRole).resolve(original) as unknown[] | undefined) ?? [];
      const kept = arns.filter((arn) => !flattenForFinding(cfnRole, arn).includes(':iam::aws:policy/'));
      return kept.length > 0 ? kept as string[] : undefined;
    },
  }, { omitEmpty: true });
}

function loggingConfigLogGroup(cfnFunction: lambda.CfnFunction | undefined): string | undefined {
  const config = cfnFunction?.loggingConfig as lambda.CfnFunction.LoggingConfigProperty | undefined;
  return config && !Token.isUnresolved(config) ? config.logGroup : undefined;
}

function tracingEnabled(cfnFunction: lambda.CfnFunction | undefined): boolean {
  if (!cfnFunction) return false;
  const config = Stack.of(cfnFunction).resolve(cfnFunction.tracingConfig) as { Mode?: string; mode?: string } | undefined;
  const mode = config?.Mode ?? config?.mode;
  return mode === lambda.Tracing.ACTIVE || mode === lambda.Tracing.PASS_THROUGH;
}

/** The statement the Lambda L2 adds to the DefaultPolicy for tracing (replaced by SendXRayTraces). */
function isLambdaTracingStatement(statement: iam.PolicyStatement): boolean {
  return statement.effect === iam.Effect.ALLOW && statement.resources.length === 1 && statement.resources[0] === '*' &&
    statement.actions.length > 0 && statement.actions.every((a) => XRAY_ACTIONS.includes(a)) &&
    Object.keys(statement.conditions ?? {}).length === 0;
}

function pascal(name: string): string {
  return name.toLowerCase().split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function describe(value: unknown): string {
  if (value && typeof value === 'object' && 'name' in value) return JSON.stringify((value as { name: unknown }).name);
  return JSON.stringify(value) ?? String(value);
}
