import * as fs from 'fs';
import * as path from 'path';
import { Duration, Names, PhysicalName, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { BundledFunctionOptions } from './bundled-function-options';
import { newestTestedRuntime, validateBundledRuntime } from './bundled-function-runtime';
import { LeastPrivilegeLambdaPolicies } from '../least-privilege/least-privilege-lambda-policies';
import { acknowledge } from '../shared/acknowledge';
import { allowLogGroupEncryption } from '../shared/encryption-key';
import { ValidationError } from '../shared/validation';

/** Where the build puts the bundled handlers (assets/<name>/index.js), shipped in the npm package. */
export const ASSETS_DIR = path.join(__dirname, '..', '..', 'assets');

export interface BundledFunctionProps {
  /** Folder name under assets/ (and lambda-src/). */
  readonly handler: string;
  readonly description: string;
  readonly environment?: Record<string, string>;
  readonly timeout: Duration;
  readonly memorySize?: number;
  /** Encrypts the function's log group; its key policy gets a statement for this log group. */
  readonly logEncryptionKey: kms.IKey;
  /** The user's placement and log settings (checked with `validateBundledFunctionOptions`). */
  readonly options?: BundledFunctionOptions;
  /** The owning construct's log retention, used when `options` names none (default ONE_YEAR). */
  readonly defaultLogRetention?: logs.RetentionDays;
  /** The owning construct's removal policy, used when `options` names none (default RETAIN). */
  readonly defaultRemovalPolicy?: RemovalPolicy;
  readonly reservedConcurrentExecutions?: number;
  /** Secrets the handler reads (read access, and decrypt through Secrets Manager for them only). */
  readonly readSecrets?: secretsmanager.ISecret[];
  /** Further exact-ARN statements the handler needs. */
  readonly statements?: iam.PolicyStatement[];
  /** Why no dead-letter queue: every bundled function is invoked synchronously. */
  readonly noDeadLetterQueueReason: string;
}

/**
 * A Lambda function running one of the library's bundled handlers: the newest tested Node.js
 * runtime the installed aws-cdk-lib knows (or the one the user pinned), its own KMS-encrypted
 * log group with explicit retention, and a role that starts with no policy at all (no AWS managed
 * policy, no inline default policy); `permissions` holds exactly what the handler uses, as
 * customer-managed policies.
 */
export class BundledFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly permissions: LeastPrivilegeLambdaPolicies;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    const options = props.options ?? {};
    const code = path.join(ASSETS_DIR, props.handler);
    if (!fs.existsSync(path.join(code, 'index.js'))) {
      throw new Error(`bundled handler ${props.handler} is missing at ${code}: the package was built without \`npx projen bundle\``);
    }

    // A literal name: the key policy condition names the log group, and a Ref would be circular.
    const logGroupName = `/aws/lambda/${Names.uniqueResourceName(this, { maxLength: 64 })}`;
    allowLogGroupEncryption(props.logEncryptionKey, `AllowLogs${Names.uniqueId(this).slice(-48)}`, logGroupName);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName,
      retention: options.logRetention ?? props.defaultLogRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: options.removalPolicy ?? props.defaultRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'ServiceRole', {
      // Named only if a stack of another account refers to the role (a bucket policy there
      // naming the authorizer that reads it); otherwise CloudFormation names it as before.
      roleName: PhysicalName.GENERATE_IF_NEEDED,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.handler}: ${props.description}`,
    });

    this.function = new lambda.Function(this, 'Resource', {
      runtime: options.runtime ?? newestTestedRuntime(),
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(code),
      description: props.description,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      timeout: props.timeout,
      memorySize: props.memorySize ?? 256,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      vpc: options.vpc,
      vpcSubnets: options.vpcSubnets,
      securityGroups: options.securityGroups,
    });
    // The function must not start before its log group exists with encryption and retention.
    this.function.node.addDependency(this.logGroup);

    // The library's own functions dogfood its least-privilege policies: no AWS managed policy,
    // no inline policy, exact ARNs only.
    this.permissions = new LeastPrivilegeLambdaPolicies(this, 'Permissions', {
      function: this.function,
      logGroup: this.logGroup,
      secrets: props.readSecrets,
      statements: props.statements,
    });

    acknowledgeSynchronousInvocation(this.function, props.noDeadLetterQueueReason);
    if (!options.vpc) acknowledgeNoVpc(this.function);
  }
}

/**
 * Checks a `BundledFunctionOptions` prop before any construct exists; `prop` is its name in the
 * owning construct's props (e.g. `rotationFunction`), so the error names `rotationFunction.vpcSubnets`.
 */
export function validateBundledFunctionOptions(scope: Construct, prop: string, options: BundledFunctionOptions | undefined): void {
  if (!options) return;
  if (!options.vpc && (options.vpcSubnets || options.securityGroups)) {
    throw new ValidationError(scope, `${prop}.vpcSubnets`, 'and securityGroups need vpc to be set');
  }
  validateLogRetention(scope, `${prop}.logRetention`, options.logRetention);
  validateBundledRuntime(scope, `${prop}.runtime`, options.runtime);
}

/** A log retention must be explicit: one of logs.RetentionDays other than INFINITE. */
export function validateLogRetention(scope: Construct, prop: string, retention: logs.RetentionDays | undefined): void {
  if (retention === undefined || Token.isUnresolved(retention)) return;
  if (retention === logs.RetentionDays.INFINITE || !Object.values(logs.RetentionDays).includes(retention)) {
    throw new ValidationError(scope, prop, `must be one of logs.RetentionDays other than INFINITE (an explicit retention), got ${retention}`);
  }
}

function acknowledgeSynchronousInvocation(fn: lambda.Function, reason: string): void {
  // PCI DSS 3.2.1 has no DLQ rule.
  for (const id of ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ']) {
    acknowledge(fn, id, reason);
  }
}

function acknowledgeNoVpc(fn: lambda.Function): void {
  const reason = 'The handler reaches only AWS APIs (TLS, SigV4) and no resource inside a VPC. Pass `vpc` ' +
    '(with interface endpoints for the services it calls) to run it inside your network boundary.';
  for (const id of ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC']) {
    acknowledge(fn, id, reason);
  }
}
