import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { RoleTakeover, loggingConfigLogGroup, takeOverExecutionRole, tracingEnabled, validateNoLaterGrants } from './execution-role-takeover';
import { grantKey, grantPublish, grantQueue, grantSecretRead, grantTable } from './grants/data-stores';
import { grantPutEvents } from './grants/event-bus';
import { grantParameterPathRead, grantParameterRead } from './grants/parameters';
import { grantNetworkInterfaces, grantOwnLogGroup, grantPutMetricData, grantTracing } from './grants/runtime';
import { grantBucketObjects } from './grants/s3-objects';
import { grantStateMachine } from './grants/state-machines';
import { StatementSink } from './grants/statement-sink';
import { grantDeliveryStreamPut, grantStreamPut } from './grants/streams';
import {
  BucketObjectsPermission, EventBusPermission, KeyPermission, ParameterPathPermission, ParameterPermission,
  QueuePermission, StateMachinePermission, TablePermission,
} from './least-privilege-permissions';
import { ManagedPolicyPacker } from './managed-policy-packer';
import { DEFAULT_MAX_MANAGED_POLICIES_PER_ROLE } from './policy-splitting';
import { ValidationError, validateIntegerRange } from '../shared/validation';

export * from './least-privilege-permissions';

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
   * Allow X-Ray trace submission (`xray:PutTraceSegments`, `xray:PutTelemetryRecords` on `*`:
   * they have no resource type, so IAM accepts only `*`; acknowledged for cdk-nag once per policy).
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
   * S3 objects the function reads, writes or deletes (exact keys or one key prefix per entry),
   * with listing restricted by `s3:prefix` and the bucket's key through S3 for those objects only.
   *
   * @default - no bucket
   */
  readonly buckets?: BucketObjectsPermission[];

  /**
   * EventBridge buses the function puts events on, optionally restricted by `events:source`
   * and `events:detail-type`.
   *
   * @default - no event bus
   */
  readonly eventBuses?: EventBusPermission[];

  /**
   * SSM parameters the function reads (GetParameter, GetParameters on each exact ARN).
   *
   * @default - no parameter
   */
  readonly parameters?: ParameterPermission[];

  /**
   * SSM parameter paths the function reads (GetParametersByPath on the path, GetParameter(s)
   * under it).
   *
   * @default - no parameter path
   */
  readonly parameterPaths?: ParameterPathPermission[];

  /**
   * Step Functions state machines the function starts (and optionally reads the executions of).
   *
   * @default - no state machine
   */
  readonly stateMachines?: StateMachinePermission[];

  /**
   * Kinesis data streams the function puts records to (with the key of an encrypted stream,
   * through Kinesis, for that stream only).
   *
   * @default - no stream
   */
  readonly streams?: kinesis.IStream[];

  /**
   * Amazon Data Firehose delivery streams the function puts records to.
   *
   * @default - no delivery stream
   */
  readonly deliveryStreams?: firehose.IDeliveryStream[];

  /**
   * CloudWatch namespaces the function publishes custom metrics to (`cloudwatch:PutMetricData`,
   * which has no resource type, restricted by the `cloudwatch:namespace` condition key).
   *
   * @default - no custom metrics
   */
  readonly metricNamespaces?: string[];

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
   * Allowed: a whole number, 1 to 20.
   *
   * @default 10
   */
  readonly maxManagedPolicies?: number;
}

/**
 * Customer managed policies, with exact ARNs, for one Lambda function's execution role, and
 * nothing else on that role: no AWS managed policy and no inline policy.
 *
 * Typed permissions (`buckets`, `eventBuses`, `parameters`, `stateMachines`, `streams`, ...)
 * write the narrowest statement IAM allows for each service and acknowledge, with a reason,
 * exactly the cdk-nag findings of the wildcards they cannot avoid (an S3 key prefix, log
 * streams, execution names, `Resource: '*'` for actions with no resource type).
 *
 * Every statement is checked as `LeastPrivilegeChecker` checks (no `*` or `service:*` action,
 * no action pattern such as `s3:GetObject*`, no `NotAction`/`NotResource`, `Resource: '*'`
 * only for actions with no resource type, `cloudwatch:PutMetricData` only with a
 * `cloudwatch:namespace` condition): a statement that fails is a `ValidationError`
 * naming the prop it came from and, where one exists, the typed permission to use. Statements are
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

  private readonly packer: ManagedPolicyPacker;
  private readonly takeover: RoleTakeover;

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
    validateIntegerRange(this, 'maxManagedPolicies', props.maxManagedPolicies, 1, 20);
    this.packer = new ManagedPolicyPacker(this, role, props.maxManagedPolicies ?? DEFAULT_MAX_MANAGED_POLICIES_PER_ROLE);

    const cfnFunction = fn?.node.defaultChild instanceof lambda.CfnFunction ? fn.node.defaultChild : undefined;
    const logGroupName = props.logGroup?.logGroupName ?? loggingConfigLogGroup(cfnFunction) ?? (fn ? `/aws/lambda/${fn.functionName}` : undefined);
    if (!logGroupName) {
      throw new ValidationError(this, 'logGroup', 'is required when function is not given: it names the only log group the function may write to');
    }
    this.logGroupName = logGroupName;
    this.tracing = props.tracing ?? tracingEnabled(cfnFunction);

    // Take over the role: what is already in its inline DefaultPolicy moves into the managed policies.
    this.takeover = takeOverExecutionRole(role, this.tracing);

    const sink: StatementSink = { scope: this, place: (statement, prop, acks) => this.packer.place(statement, prop, acks) };
    grantOwnLogGroup(sink, this.logGroupName);
    if (this.tracing) grantTracing(sink);
    if (fn?.isBoundToVpc) grantNetworkInterfaces(sink, cfnFunction);
    (props.secrets ?? []).forEach((secret, i) => grantSecretRead(sink, secret, `secrets[${i}]`, i));
    (props.tables ?? []).forEach((table, i) => grantTable(sink, table, `tables[${i}]`, i));
    (props.keys ?? []).forEach((key, i) => grantKey(sink, key, `keys[${i}]`, i));
    (props.queues ?? []).forEach((queue, i) => grantQueue(sink, queue, `queues[${i}]`, i));
    (props.publishTopics ?? []).forEach((topic, i) => grantPublish(sink, topic, `publishTopics[${i}]`, i));
    (props.buckets ?? []).forEach((bucket, i) => grantBucketObjects(sink, bucket, `buckets[${i}]`, i));
    (props.eventBuses ?? []).forEach((bus, i) => grantPutEvents(sink, bus, `eventBuses[${i}]`, i));
    (props.parameters ?? []).forEach((parameter, i) => grantParameterRead(sink, parameter, `parameters[${i}]`, i));
    (props.parameterPaths ?? []).forEach((path, i) => grantParameterPathRead(sink, path, `parameterPaths[${i}]`, i));
    (props.stateMachines ?? []).forEach((machine, i) => grantStateMachine(sink, machine, `stateMachines[${i}]`, i));
    (props.streams ?? []).forEach((stream, i) => grantStreamPut(sink, stream, `streams[${i}]`, i));
    (props.deliveryStreams ?? []).forEach((stream, i) => grantDeliveryStreamPut(sink, stream, `deliveryStreams[${i}]`, i));
    if (props.metricNamespaces && props.metricNamespaces.length > 0) grantPutMetricData(sink, props.metricNamespaces);
    this.takeover.inherited.forEach((s, i) => this.packer.place(s, `function's DefaultPolicy statement ${i} (granted before this construct)`));
    (props.statements ?? []).forEach((s, i) => this.packer.place(s, `statements[${i}]`));

    this.node.addValidation({ validate: () => this.validateRole() });
  }

  /** The managed policies this construct attached to the role, in creation order. */
  public get policies(): iam.ManagedPolicy[] {
    return [...this.packer.policies];
  }

  /**
   * Adds statements to the function's managed policies. Each must pass the least-privilege
   * checks (no `*` or `service:*` action, no action pattern, no NotAction/NotResource,
   * `Resource: '*'` only for actions with no resource type, PutMetricData only with a
   * `cloudwatch:namespace` condition) and fit in one managed policy; otherwise this throws a
   * ValidationError naming `addStatements`.
   */
  public addStatements(...statements: iam.PolicyStatement[]): void {
    statements.forEach((s, i) => this.packer.place(s, `addStatements[${i}]`));
  }

  private validateRole(): string[] {
    validateNoLaterGrants(this, this.role, this.takeover);
    this.packer.validateTotal();
    return [];
  }
}
