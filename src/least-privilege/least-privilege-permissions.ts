import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

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
 * Objects of an S3 bucket the function uses (exact keys or one key prefix), and how.
 *
 * Give exactly one of `objectKeys` and `keyPrefix`, and at least one of `readObjects`,
 * `writeObjects`, `deleteObjects` and `listObjects`.
 */
export interface BucketObjectsPermission {
  /** The bucket. */
  readonly bucket: s3.IBucket;

  /**
   * Exact object keys (`reports/latest.json`): each gets its own object ARN, no wildcard.
   *
   * @default - `keyPrefix` must be given
   */
  readonly objectKeys?: string[];

  /**
   * A key prefix (`orders/`): the function may use every object whose key starts with it
   * (`<bucket ARN>/orders/*`, acknowledged for cdk-nag with its exact finding). Must not be empty.
   *
   * @default - `objectKeys` must be given
   */
  readonly keyPrefix?: string;

  /**
   * Read the objects (`s3:GetObject`; `kms:Decrypt` on the bucket's key through S3).
   *
   * @default false
   */
  readonly readObjects?: boolean;

  /**
   * Write the objects (`s3:PutObject`; `kms:GenerateDataKey` and, for multipart uploads,
   * `kms:Decrypt` on the bucket's key through S3).
   *
   * @default false
   */
  readonly writeObjects?: boolean;

  /**
   * Delete the objects (`s3:DeleteObject`; the current version only).
   *
   * @default false
   */
  readonly deleteObjects?: boolean;

  /**
   * List the bucket, restricted with the `s3:prefix` condition key to `keyPrefix` (or to the
   * exact `objectKeys`): `s3:ListBucket` with no prefix, or any other prefix, is denied.
   *
   * @default - true when `keyPrefix` and `readObjects` are set
   */
  readonly listObjects?: boolean;
}

/**
 * An EventBridge event bus the function puts events on, optionally restricted to named
 * sources and detail types.
 */
export interface EventBusPermission {
  /** The event bus (`EventBus.fromEventBusName(this, 'Default', 'default')` for the default bus). */
  readonly eventBus: events.IEventBus;

  /**
   * The only `source` values the function's events may carry (`events:source` condition key).
   *
   * @default - any source
   */
  readonly sources?: string[];

  /**
   * The only `detail-type` values the function's events may carry (`events:detail-type`
   * condition key).
   *
   * @default - any detail type
   */
  readonly detailTypes?: string[];
}

/**
 * An SSM Parameter Store parameter the function reads.
 */
export interface ParameterPermission {
  /** The parameter (`GetParameter`, `GetParameters` on its exact ARN). */
  readonly parameter: ssm.IParameter;

  /**
   * The KMS key of a SecureString parameter encrypted with a customer managed key:
   * `kms:Decrypt` through SSM, for this parameter only (`kms:EncryptionContext:PARAMETER_ARN`).
   *
   * @default - no key permission (a String parameter, or a SecureString under `aws/ssm`)
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * An SSM Parameter Store path (hierarchy) whose parameters the function reads.
 */
export interface ParameterPathPermission {
  /**
   * The path, starting with `/` (`/orders/prod`). The function may call GetParametersByPath on
   * it (which SSM authorizes against the path, recursive or not) and GetParameter(s) on the
   * parameters under it (`parameter/orders/prod/*`, acknowledged for cdk-nag).
   */
  readonly path: string;

  /**
   * The KMS key of SecureString parameters under the path: `kms:Decrypt` through SSM, for
   * parameters under this path only.
   *
   * @default - no key permission
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A Step Functions state machine the function starts executions of.
 */
export interface StateMachinePermission {
  /** The state machine (`states:StartExecution` on its exact ARN). */
  readonly stateMachine: sfn.IStateMachine;

  /**
   * Also read the status of its executions (`states:DescribeExecution` on
   * `execution:<state machine name>:*`, acknowledged for cdk-nag: execution names are chosen
   * at run time).
   *
   * @default false
   */
  readonly readExecutionStatus?: boolean;
}
