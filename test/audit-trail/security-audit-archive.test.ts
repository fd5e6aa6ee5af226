import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SecurityAuditAlarms, SecurityAuditArchive, SecurityAuditTrail } from '../../src';
import { trailBucketStatements, trailKeyStatements } from '../../src/audit-trail/trail-delivery-policy';
import { testGates } from '../helpers/gates';
import { testStack } from '../helpers/stack';
import { expectValidationError } from '../helpers/validation-error';

const LOG_ARCHIVE = '111111111111';
const MANAGEMENT = '222222222222';
const REGION = 'us-east-1';
const ORG = 'o-abcdef1234';

/** The organization trail's ARN as the archive's template writes it. */
const ORG_TRAIL_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudtrail:${REGION}:${MANAGEMENT}:trail/org-trail`]] };

/** One app, two accounts: the archive in the log-archive account, the organization trail in the management account. */
function twoAccounts() {
  const app = new App();
  const archiveStack = new Stack(app, 'LogArchive', { env: { account: LOG_ARCHIVE, region: REGION } });
  const managementStack = new Stack(app, 'Management', { env: { account: MANAGEMENT, region: REGION } });
  const archive = new SecurityAuditArchive(archiveStack, 'Archive', { trailName: 'org-trail', trailAccount: MANAGEMENT, organizationId: ORG });
  const trail = new SecurityAuditTrail(managementStack, 'AuditTrail', { archive });
  return { app, archiveStack, managementStack, archive, trail };
}

describe('SecurityAuditArchive in the log-archive account, SecurityAuditTrail in the management account', () => {
  const { archiveStack, managementStack, archive, trail } = twoAccounts();
  const archiveTemplate = Template.fromStack(archiveStack);
  const managementTemplate = Template.fromStack(managementStack);
  const bucketRef = { Ref: archiveStack.getLogicalId(archive.bucket.node.defaultChild as s3.CfnBucket) };
  const bucketArn = { 'Fn::GetAtt': [archiveStack.getLogicalId(archive.bucket.node.defaultChild as s3.CfnBucket), 'Arn'] };

  test('the archive bucket admits the organization trail only: its own account and the organization\'s log files', () => {
    archiveTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: bucketRef,
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AWSCloudTrailAclCheck',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:GetBucketAcl',
            Resource: bucketArn,
            Condition: { StringEquals: { 'aws:SourceArn': ORG_TRAIL_ARN } },
          }),
          Match.objectLike({
            Sid: 'AWSCloudTrailWrite',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: [
              { 'Fn::Join': ['', [bucketArn, `/AWSLogs/${MANAGEMENT}/*`]] },
              { 'Fn::Join': ['', [bucketArn, `/AWSLogs/${ORG}/*`]] },
            ],
            Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': ORG_TRAIL_ARN } },
          }),
        ]),
      },
    });
  });

  test('the archive key lets CloudTrail encrypt for the management account\'s trail only, and denies grants not for AWS services', () => {
    archiveTemplate.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'DenyGrantsNotForAwsServices', Effect: 'Deny', Action: 'kms:CreateGrant' }),
          Match.objectLike({
            Sid: 'AllowCloudTrailToEncryptForThisTrail',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 'kms:GenerateDataKey*',
            Condition: {
              StringEquals: { 'aws:SourceArn': ORG_TRAIL_ARN },
              StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudtrail:*:${MANAGEMENT}:trail/org-trail`]] } },
            },
          }),
          Match.objectLike({ Sid: 'AllowCloudTrailToDescribeKeyForThisTrail', Action: 'kms:DescribeKey', Condition: { StringEquals: { 'aws:SourceArn': ORG_TRAIL_ARN } } }),
        ]),
      },
    });
    archiveTemplate.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/security-audit-archive/org-trail' });
  });

  test('the policies are the ones trail-delivery-policy derives, statement for statement', () => {
    const deliverer = { trailArn: archive.trailArn, trailName: 'org-trail', trailAccount: MANAGEMENT, organizationId: ORG };
    const bucketStatements = archiveStack.resolve(trailBucketStatements(deliverer, archive.bucket.bucketArn, (p) => archive.bucket.arnForObjects(p))
      .map((s) => s.toStatementJson()));
    const policy = Object.values(archiveTemplate.findResources('AWS::S3::BucketPolicy'))
      .find((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify(bucketRef))!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining(bucketStatements));
    const keyStatements = archiveStack.resolve(trailKeyStatements(archiveStack, deliverer).map((s) => s.toStatementJson()));
    const key = Object.values(archiveTemplate.findResources('AWS::KMS::Key'))[0];
    expect(key.Properties.KeyPolicy.Statement).toEqual(expect.arrayContaining(keyStatements));
  });

  test('the archive bucket is Object Lock, versioned, SSE-KMS with the archive key, logged to its access-log bucket, and retained', () => {
    archiveTemplate.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'archive/' }),
      }),
    });
    archiveTemplate.resourceCountIs('AWS::S3::Bucket', 2);
    archiveTemplate.resourceCountIs('AWS::CloudTrail::Trail', 0);
  });

  test('the organization trail names the archive bucket and the key alias of the log-archive account, and creates no bucket', () => {
    const bucketName = archiveStack.resolve((archive.bucket.node.defaultChild as s3.CfnBucket).bucketName);
    expect(typeof bucketName).toBe('string');
    managementTemplate.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'org-trail',
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
      S3BucketName: bucketName,
      // A literal ARN: Control Tower's CT.CLOUDTRAIL.PR.1 accepts a string or a local key reference only.
      KMSKeyId: `arn:aws:kms:${REGION}:${LOG_ARCHIVE}:alias/security-audit-archive/org-trail`,
    });
    managementTemplate.resourceCountIs('AWS::S3::Bucket', 0);
    managementTemplate.resourceCountIs('AWS::S3::BucketPolicy', 0);
    expect(managementStack.dependencies).toContain(archiveStack);
  });

  test('the management account\'s own key encrypts the log group, and the CloudWatch Logs role writes the organization\'s streams', () => {
    managementTemplate.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/cloudtrail/org-trail',
      KmsKeyId: { 'Fn::GetAtt': [managementStack.getLogicalId(trail.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] },
    });
    const keyPolicy = managementStack.resolve((trail.encryptionKey.node.defaultChild as kms.CfnKey).keyPolicy);
    const sids = keyPolicy.Statement.map((s: { Sid?: string }) => s.Sid);
    expect(sids).toContain('AllowCloudWatchLogsForTheTrailLogGroup');
    expect(sids).not.toContain('AllowCloudTrailToEncryptForThisTrail');
    managementTemplate.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [Match.objectLike({
          Resource: Match.arrayWith([
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:${REGION}:${MANAGEMENT}:log-group:/aws/cloudtrail/org-trail:log-stream:${ORG}_*`]] },
          ]),
        })],
      },
    });
    expect(trail.controlIds).toHaveLength(15);
    expect(Annotations.fromStack(managementStack).findWarning('*', Match.stringLikeRegexp('not created here|imported key'))).toEqual([]);
  });

  test('Control Tower proactive controls: only the access-log bucket\'s known exceptions, as for SecurityAuditTrail\'s own', () => {
    // test/helpers/control-tower.ts gates the constructs of CONSTRUCT_FIXTURES; these are the new
    // configurations, run through the same cfn-guard rules (with SecurityAuditAlarms on Control Tower's log group).
    const { app, archiveStack: a, managementStack: m } = twoAccounts();
    const c = new Stack(app, 'ControlTowerAlarms', { env: { account: MANAGEMENT, region: REGION } });
    new SecurityAuditAlarms(c, 'AuditAlarms', { logGroup: logs.LogGroup.fromLogGroupName(c, 'Ct', 'aws-controltower/CloudTrailLogs') });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-archive-'));
    try {
      const files = [a, m, c].map((s) => {
        const file = path.join(dir, `${s.stackName}.template.json`);
        fs.writeFileSync(file, JSON.stringify(Template.fromStack(s).toJSON()));
        return file;
      });
      const report = new CfnGuardValidator().validate({ templatePaths: files });
      const found = report.violations.flatMap((v) => v.violatingResources.map((r) =>
        `${/^\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(v.description)?.[1]} ${path.basename(r.templatePath)} ${r.resourceLogicalId}`));
      const accessLogs = a.getLogicalId(archive.accessLogsBucket.node.defaultChild as s3.CfnBucket);
      expect([...new Set(found)].sort()).toEqual([
        `CT.S3.PR.10 LogArchive.template.json ${accessLogs}`,
        `CT.S3.PR.2 LogArchive.template.json ${accessLogs}`,
        `CT.S3.PR.9 LogArchive.template.json ${accessLogs}`,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('log-archive stack', () => {
    testGates(() => {
      const { archiveStack: stack, archive: a } = twoAccounts();
      return { stack, nagScopes: [a] };
    });
  });

  describe('management stack', () => {
    testGates(() => {
      const { managementStack: stack, trail: t } = twoAccounts();
      return { stack, nagScopes: [t] };
    });
  });
});

describe('SecurityAuditArchive in the trail\'s own stack (one account)', () => {
  test('the trail waits for the archive\'s bucket policy, and the archive admits this account only', () => {
    const stack = testStack();
    const archive = new SecurityAuditArchive(stack, 'Archive', { trailName: 'audit-trail' });
    const trail = new SecurityAuditTrail(stack, 'AuditTrail', { archive });
    const template = Template.fromStack(stack);
    const policyId = stack.getLogicalId(archive.bucket.policy!.node.defaultChild as s3.CfnBucketPolicy);
    expect(template.toJSON().Resources[stack.getLogicalId(trail.trail)].DependsOn).toContain(policyId);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AWSCloudTrailWrite',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [stack.getLogicalId(archive.bucket.node.defaultChild as s3.CfnBucket), 'Arn'] }, '/AWSLogs/123456789012/*']] },
        })]),
      },
    });
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'audit-trail',
      IsOrganizationTrail: Match.absent(),
      KMSKeyId: { 'Fn::GetAtt': [stack.getLogicalId(archive.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] },
    });
  });
});

describe('SecurityAuditArchive validation', () => {
  const app = () => new App();
  const stacks = () => {
    const a = app();
    return {
      archiveStack: new Stack(a, 'LogArchive', { env: { account: LOG_ARCHIVE, region: REGION } }),
      managementStack: new Stack(a, 'Management', { env: { account: MANAGEMENT, region: REGION } }),
    };
  };

  test('rejects a trail whose name differs from the one the archive admits', () => {
    const { archiveStack, managementStack } = stacks();
    const archive = new SecurityAuditArchive(archiveStack, 'Archive', { trailName: 'org-trail', trailAccount: MANAGEMENT });
    expectValidationError(() => new SecurityAuditTrail(managementStack, 'AuditTrail', { archive, trailName: 'other-trail' }),
      { path: 'Management/AuditTrail', prop: 'trailName', message: 'must match the archive\'s trailName \'org-trail\' (the archive admits that trail only), got \'other-trail\'' });
  });

  test('rejects a trail in another account than the archive admits', () => {
    const { archiveStack, managementStack } = stacks();
    const archive = new SecurityAuditArchive(archiveStack, 'Archive', { trailName: 'org-trail' });
    expectValidationError(() => new SecurityAuditTrail(managementStack, 'AuditTrail', { archive }),
      { path: 'Management/AuditTrail', prop: 'archive', message: `admits a trail in account ${LOG_ARCHIVE}, but this trail's stack is in account ${MANAGEMENT}: set trailAccount on the SecurityAuditArchive` });
  });

  test('rejects an organization trail on an archive that does not admit the organization, and an archive with a bucket', () => {
    const { archiveStack, managementStack } = stacks();
    const archive = new SecurityAuditArchive(archiveStack, 'Archive', { trailName: 'org-trail', trailAccount: MANAGEMENT });
    expectValidationError(() => new SecurityAuditTrail(managementStack, 'AuditTrail', { archive, organizationTrail: true, organizationId: ORG }),
      { path: 'Management/AuditTrail', prop: 'organizationTrail', message: 'needs an archive that admits the organization: pass organizationId to the SecurityAuditArchive' });
    const bucket = s3.Bucket.fromBucketName(managementStack, 'B', 'some-bucket');
    expectValidationError(() => new SecurityAuditTrail(managementStack, 'AuditTrail2', { archive, bucket }),
      { path: 'Management/AuditTrail2', prop: 'bucket', message: 'cannot be combined with archive: the archive brings its own bucket' });
    expectValidationError(() => new SecurityAuditTrail(managementStack, 'AuditTrail3', { archive, bucketName: 'x-archive' }),
      { path: 'Management/AuditTrail3', prop: 'bucketName', message: 'cannot be combined with archive: an existing archive bucket keeps its own settings' });
  });

  test('rejects a malformed organization id, trail name or key alias on the archive', () => {
    const { archiveStack } = stacks();
    expectValidationError(() => new SecurityAuditArchive(archiveStack, 'A1', { trailName: 'org-trail', organizationId: '123' }),
      { path: 'LogArchive/A1', prop: 'organizationId', message: /^must look like o-xxxxxxxxxx/ });
    expectValidationError(() => new SecurityAuditArchive(archiveStack, 'A2', { trailName: '-bad' }),
      { path: 'LogArchive/A2', prop: 'trailName', message: /^must be 3 to 128 letters/ });
    expectValidationError(() => new SecurityAuditArchive(archiveStack, 'A3', { trailName: 'org-trail', keyAlias: 'alias/aws/s3' }),
      { path: 'LogArchive/A3', prop: 'keyAlias', message: /^must be alias\/ followed by/ });
  });

  test('an archive bucket not created by SecurityAuditArchive: synth names the statements and the construct that adds them', () => {
    const stack = testStack();
    const central = s3.Bucket.fromBucketName(stack, 'Central', 'org-log-archive');
    new SecurityAuditTrail(stack, 'AuditTrail', { bucket: central, trailName: 'org-trail' });
    Annotations.fromStack(stack).hasWarning('/TestStack/AuditTrail', Match.stringLikeRegexp(
      'AWSLogs/123456789012/\\*.*AWSCloudTrailAclCheck \\(s3:GetBucketAcl\\), AWSCloudTrailWrite \\(s3:PutObject\\).*SecurityAuditArchive'));
  });
});
