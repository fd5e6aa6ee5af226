/**
 * The cdk-security-blocks account baseline in every account and Region of an OU, with
 * service-managed StackSets and auto-deployment (an account that joins the OU gets it, one that
 * leaves keeps nothing), and the organization trail in the management account.
 *
 * Deployed from the management account (or a StackSets delegated administrator):
 *   - BaselineAssets-<region>: one bucket per target Region, `<prefix>-<region>`, from which
 *     CloudFormation in every member account reads the baseline's Lambda code (a function's
 *     code must be in its own Region). Readable by the organization's principals only.
 *   - AccountBaseline: the StackSet (template + a copy of each bundled Lambda asset into every
 *     Region's bucket) targeting the OU. Each stack instance holds the notification topic, the
 *     API Gateway CloudWatch role of that account and Region, and a rotating ES256 key ring (a
 *     bundled Lambda: the asset path is proven by it).
 *   - OrganizationTrail: one trail for every account of the organization.
 *
 *   ORG_ID=o-… BASELINE_OU=ou-… npx cdk deploy --all
 */
import { App, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AccountSecurityEvents, ApiGatewayCloudWatchRole, JwtSigningAlgorithm, RotatingJwtSecret, SecurityAuditTrail, SecurityNotifications,
} from 'cdk-security-blocks';
import { Capability, DeploymentType, RegionConcurrencyType, StackSet, StackSetStack, StackSetTarget, StackSetTemplate } from 'cdk-stacksets';
import { Construct } from 'constructs';

export interface OrgRolloutProps {
  /** The management (or StackSets delegated administrator) account, and the Region the StackSet lives in. */
  readonly managementAccount: string;
  readonly homeRegion: string;
  /** Every Region the baseline is deployed to in each account of the OU. */
  readonly regions: string[];
  readonly organizationId: string;
  readonly organizationalUnitId: string;
}

/** One Region's asset bucket: private, SSL-only, readable by the organization's principals. */
class BaselineAssetsStack extends Stack {
  public static bucketName(prefix: string, region: string): string {
    return `${prefix}-${region}`;
  }

  constructor(scope: Construct, id: string, prefix: string, organizationId: string, props: StackProps) {
    super(scope, id, props);
    const bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: BaselineAssetsStack.bucketName(prefix, this.region),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudFormation creates each function with the member account's StackSet execution role,
    // and Lambda reads the code as that role: the organization's principals may read the code.
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects('*')],
      principals: [new iam.OrganizationPrincipal(organizationId)],
    }));
  }
}

/** The StackSet of the account baseline and the asset copies it needs, in the management account. */
class AccountBaselineStack extends Stack {
  public readonly member: StackSetStack;

  constructor(scope: Construct, id: string, prefix: string, rollout: OrgRolloutProps, props: StackProps) {
    super(scope, id, props);
    const assetBuckets = rollout.regions.map((region) => s3.Bucket.fromBucketName(this, `Assets-${region}`, BaselineAssetsStack.bucketName(prefix, region)));
    this.member = new StackSetStack(this, 'Baseline', { assetBuckets, assetBucketPrefix: prefix });

    // What every account and Region of the OU gets.
    new SecurityNotifications(this.member, 'SecurityNotifications', { emailAddresses: ['security-oncall@example.com'] });
    new ApiGatewayCloudWatchRole(this.member, 'ApiGatewayAccount');
    // GuardDuty, Security Hub, root sign-in and trail-tampering events of each account and Region
    // to its topic; the organization trail's CIS alarms sit in the management account.
    new AccountSecurityEvents(this.member, 'SecurityEvents');
    new RotatingJwtSecret(this.member, 'ServiceTokenKeys', { algorithm: JwtSigningAlgorithm.ES256 });

    new StackSet(this, 'StackSet', {
      stackSetName: 'security-blocks-account-baseline',
      description: 'cdk-security-blocks account baseline: notification topic, account security events, API Gateway CloudWatch role, rotating ES256 key ring',
      target: StackSetTarget.fromOrganizationalUnits({ regions: rollout.regions, organizationalUnits: [rollout.organizationalUnitId] }),
      deploymentType: DeploymentType.serviceManaged({ autoDeployEnabled: true, autoDeployRetainStacks: false }),
      template: StackSetTemplate.fromStackSetStack(this.member),
      capabilities: [Capability.IAM, Capability.NAMED_IAM],
      operationPreferences: { failureTolerancePercentage: 10, maxConcurrentPercentage: 25, regionConcurrencyType: RegionConcurrencyType.PARALLEL },
    });
  }
}

export interface OrgRollout {
  readonly assetStacks: Stack[];
  readonly baseline: AccountBaselineStack;
  readonly trail: Stack;
}

export function buildOrgRollout(app: App, rollout: OrgRolloutProps): OrgRollout {
  const prefix = `security-blocks-baseline-assets-${rollout.managementAccount}`;
  const assetStacks = rollout.regions.map((region) => new BaselineAssetsStack(app, `BaselineAssets-${region}`, prefix, rollout.organizationId, {
    env: { account: rollout.managementAccount, region },
  }));
  const baseline = new AccountBaselineStack(app, 'AccountBaseline', prefix, rollout, {
    env: { account: rollout.managementAccount, region: rollout.homeRegion },
  });
  // The buckets exist before the bucket deployments copy the assets into them.
  for (const stack of assetStacks) baseline.addDependency(stack);

  const trail = new Stack(app, 'OrganizationTrail', { env: { account: rollout.managementAccount, region: rollout.homeRegion } });
  new SecurityAuditTrail(trail, 'AuditTrail', { organizationTrail: true, organizationId: rollout.organizationId });
  return { assetStacks, baseline, trail };
}

if (require.main === module) {
  const app = new App({ outdir: process.env.CDK_OUTDIR });
  buildOrgRollout(app, {
    managementAccount: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111',
    homeRegion: process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
    regions: (process.env.BASELINE_REGIONS ?? 'us-east-1,eu-west-1').split(','),
    organizationId: process.env.ORG_ID ?? 'o-abc123def4',
    organizationalUnitId: process.env.BASELINE_OU ?? 'ou-ab12-11111111',
  });
  app.synth();
}
