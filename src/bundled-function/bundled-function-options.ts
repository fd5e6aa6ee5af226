import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * Where one of the library's bundled Lambda functions runs, on which runtime, and how long its logs live: the
 * same struct for the rotation function of a RotatingJwtSecret, the function of a JwtAuthorizer
 * and the authorizer a HardenedRestApi creates.
 */
export interface BundledFunctionOptions {
  /**
   * The Node.js runtime of the function.
   *
   * Only a runtime the bundled handlers are tested on is accepted: today `nodejs24.x` and
   * `nodejs26.x`. Another family, an older major or a newer one than tested is refused at synth
   * time with a ValidationError.
   *
   * Pin it to keep the runtime fixed across aws-cdk-lib upgrades; the default moves with them.
   *
   * @default - the newest Node.js runtime that both your aws-cdk-lib defines and the handlers are
   * tested on: `lambda.Runtime.NODEJS_26_X` when your aws-cdk-lib defines it (2.278.0 does),
   * else `lambda.Runtime.NODEJS_24_X`. This keeps cdk-nag's AwsSolutions-L1 (latest runtime) quiet
   * on every supported aws-cdk-lib.
   */
  readonly runtime?: lambda.Runtime;

  /**
   * The VPC to run the function in. It then needs a route to the AWS APIs it calls
   * (Secrets Manager: an interface VPC endpoint, or NAT).
   *
   * @default - not in a VPC; the function reaches only AWS APIs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Where to place the function in `vpc`.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The security groups of the function in `vpc`.
   *
   * @default - a new security group allowing all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * How long the function's logs are kept. An explicit retention: INFINITE is refused.
   *
   * @default - the owning construct's log retention, or logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the function's log group when it leaves the stack.
   *
   * @default - the owning construct's removal policy, or RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
