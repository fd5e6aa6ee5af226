import * as fs from 'fs';
import * as path from 'path';
import { CfnElement, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CisProfile, SecurityAuditTrail, SecurityAuditTrailProps } from '../../src';
import { expectSecureTemplate, testGates } from '../helpers/gates';
import { DENY_GRANTS_NOT_FOR_AWS_SERVICES } from '../helpers/kms-statements';
import { acknowledgements, expectNoUnacknowledgedFindings } from '../helpers/nag';
import { testStack } from '../helpers/stack';
import { expectValidationError } from '../helpers/validation-error';

/**
 * The published Security Hub CloudWatch.1-14 patterns; the file names its source (the AWS
 * Security Hub User Guide, "Amazon CloudWatch controls", at a fixed commit).
 */
interface PublishedFilters {
  readonly source: string;
  readonly namespaceAdvised: string;
  readonly metricValue: string;
  readonly threshold: string;
  readonly patterns: Record<string, string>;
}
const PUBLISHED: PublishedFilters = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'data', 'security-hub-cis-metric-filters.json'), 'utf8'));

/**
 * CIS AWS Foundations Benchmark v1.4.0 / v3.0.0, recommendation 4.15 "Ensure AWS Organizations
 * changes are monitored" (not a Security Hub control), as quoted in issue #6.
 */
const CIS_4_15_PATTERN = '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }';

const TRAIL_ARN = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:us-east-1:123456789012:trail/audit-trail']],
};

function build(props: SecurityAuditTrailProps = {}): { stack: Stack; trail: SecurityAuditTrail; template: Template } {
  const stack = testStack();
  const trail = new SecurityAuditTrail(stack, 'AuditTrail', props);
  return { stack, trail, template: Template.fromStack(stack) };
}

function fullyConfigured(): { stack: Stack; trail: SecurityAuditTrail } {
  const stack = testStack();
  const fn = lambda.Function.fromFunctionArn(stack, 'Payments', 'arn:aws:lambda:us-east-1:123456789012:function:payments');
  const trail = new SecurityAuditTrail(stack, 'AuditTrail', {
    trailName: 'audit-trail',
    bucketName: 'example-audit-archive',
    accessLogsBucketName: 'example-audit-access-logs',
    logGroupName: '/audit/trail',
    logRetention: logs.RetentionDays.TWO_YEARS,
    archiveTransitionAfter: Duration.days(30),
    archiveStorageClass: s3.StorageClass.DEEP_ARCHIVE,
    archiveExpiration: Duration.days(3650),
    objectLockRetention: s3.ObjectLockRetention.governance(Duration.days(365)),
    organizationTrail: true,
    organizationId: 'o-abcdef1234',
    dataEvents: { allS3Buckets: true, lambdaFunctions: [fn], readWriteType: cloudtrail.ReadWriteType.WRITE_ONLY },
    insights: true,
    disabledControls: ['CloudWatch.3'],
    metricNamespace: 'LogMetrics',
  });
  trail.addTunedAlarm('CloudWatch.2', {
    filterPattern: '{(($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")) && ($.userIdentity.arn != "arn:aws:sts::123456789012:assumed-role/scanner/*")}',
    threshold: 10,
    evaluationPeriods: 2,
  });
  return { stack, trail };
}

/** The synthesized filter pattern of a control's exact metric filter. */
function synthesizedPattern(stack: Stack, trail: SecurityAuditTrail, controlId: string): string {
  const cfn = trail.node.findChild(controlId).node.findChild('MetricFilter').node.defaultChild as logs.CfnMetricFilter;
  const resource = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(cfn)];
  return resource.Properties.FilterPattern;
}

describe('SecurityAuditTrail control filters', () => {
  const { stack, trail, template } = build();

  test('the reference data names its source', () => {
    expect(PUBLISHED.source).toContain('doc_source/cloudwatch-controls.md');
    expect(PUBLISHED.source).toContain('bda5bf7ddbdf498557b2ac6a538577528004e6d5');
    expect(Object.keys(PUBLISHED.patterns)).toEqual(Array.from({ length: 14 }, (_, i) => `CloudWatch.${i + 1}`));
  });

  test.each(Object.keys(PUBLISHED.patterns))('synthesizes the %s filter pattern byte for byte as published', (controlId) => {
    expect(Buffer.from(synthesizedPattern(stack, trail, controlId), 'utf8'))
      .toEqual(Buffer.from(PUBLISHED.patterns[controlId], 'utf8'));
  });

  test('synthesizes the CIS 4.15 Organizations filter pattern byte for byte', () => {
    expect(Buffer.from(synthesizedPattern(stack, trail, 'CIS.4.15'), 'utf8')).toEqual(Buffer.from(CIS_4_15_PATTERN, 'utf8'));
  });

  test('every filter publishes the advised namespace and value, and every alarm fires at >= 1 and notifies the topic', () => {
    const filters = template.findResources('AWS::Logs::MetricFilter');
    expect(Object.keys(filters)).toHaveLength(15);
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms)).toHaveLength(15);
    const topicRef = { Ref: stack.getLogicalId(trail.alarmTopic.node.defaultChild as sns.CfnTopic) };
    for (const filter of Object.values(filters)) {
      const [transformation] = filter.Properties.MetricTransformations;
      expect(transformation.MetricNamespace).toBe(PUBLISHED.namespaceAdvised);
      expect(transformation.MetricValue).toBe(PUBLISHED.metricValue);
      expect(filter.Properties.LogGroupName).toEqual({ Ref: stack.getLogicalId(trail.logGroup.node.defaultChild as logs.CfnLogGroup) });
      const alarm = Object.values(alarms).find((a) => a.Properties.MetricName === transformation.MetricName);
      expect(alarm?.Properties).toMatchObject({
        Namespace: PUBLISHED.namespaceAdvised,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        Statistic: 'Sum',
        AlarmActions: [topicRef],
      });
    }
    expect(PUBLISHED.threshold).toBe('>= 1');
  });

  test('exposes the alarms by control id', () => {
    expect(trail.controlIds).toEqual([...Object.keys(PUBLISHED.patterns), 'CIS.4.15']);
    expect(trail.alarm('CloudWatch.7')).toBe(trail.node.findChild('CloudWatch.7').node.findChild('Alarm'));
    expect(stack.resolve(trail.metricControl('CloudWatch.1').metricName)).toBe('RootAccountUsage');
  });

  test('rejects an unknown control id', () => {
    expectValidationError(() => trail.alarm('CloudWatch.15'),
      { path: 'TestStack/AuditTrail', prop: 'controlId', message: /^must be one of CloudWatch.1, .*CIS.4.15, got 'CloudWatch.15'/ });
  });
});

describe('SecurityAuditTrail default configuration', () => {
  const { stack, trail, template } = build({ trailName: 'audit-trail' });

  test('the trail is multi-Region, with global service events, log file validation, all management events, KMS and CloudWatch Logs', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'audit-trail',
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
      KMSKeyId: { 'Fn::GetAtt': [stack.getLogicalId(trail.encryptionKey.node.defaultChild as CfnElement), 'Arn'] },
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [stack.getLogicalId(trail.logGroup.node.defaultChild as CfnElement), 'Arn'] },
      CloudWatchLogsRoleArn: { 'Fn::GetAtt': [stack.getLogicalId(trail.cloudWatchLogsRole.node.defaultChild as CfnElement), 'Arn'] },
      IsOrganizationTrail: Match.absent(),
      AdvancedEventSelectors: Match.absent(),
      InsightSelectors: Match.absent(),
    });
  });

  test('the key rotates and lets CloudTrail encrypt for this trail only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          DENY_GRANTS_NOT_FOR_AWS_SERVICES,
          {
            Sid: 'AllowCloudTrailToEncryptForThisTrail',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 'kms:GenerateDataKey*',
            Resource: '*',
            Condition: {
              StringEquals: { 'aws:SourceArn': TRAIL_ARN },
              StringLike: {
                'kms:EncryptionContext:aws:cloudtrail:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:*:123456789012:trail/audit-trail']],
                },
              },
            },
          },
          {
            Sid: 'AllowCloudTrailToDescribeKeyForThisTrail',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 'kms:DescribeKey',
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } },
          },
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsForTheTrailLogGroup',
            Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:/aws/cloudtrail/audit-trail']],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  test('no key policy statement lets CloudTrail use the key without naming this trail', () => {
    const keys = template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('security audit trail') } });
    const statements = Object.values(keys)[0].Properties.KeyPolicy.Statement as Array<Record<string, any>>;
    const forCloudTrail = statements.filter((x) => x.Principal?.Service === 'cloudtrail.amazonaws.com');
    expect(forCloudTrail.length).toBeGreaterThan(0);
    for (const s of forCloudTrail) {
      expect(s.Condition.StringEquals['aws:SourceArn']).toEqual(TRAIL_ARN);
    }
  });

  test('the archive bucket is private, SSL-only, ACL-free, versioned, SSE-KMS, logged, with a lifecycle, and retained', () => {
    const bucketId = stack.getLogicalId(trail.bucket.node.defaultChild as s3.CfnBucket);
    const logsBucketId = stack.getLogicalId(trail.accessLogsBucket!.node.defaultChild as s3.CfnBucket);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [stack.getLogicalId(trail.encryptionKey.node.defaultChild as CfnElement), 'Arn'] },
            },
          }],
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: logsBucketId }, LogFilePrefix: 'archive/' },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({
            Status: 'Enabled',
            Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 90 }],
            ExpirationInDays: 2555,
            NoncurrentVersionExpiration: { NoncurrentDays: 2555 },
          })],
        },
        // Object Lock by default: governance mode, one year (Security Hub S3.15, CT.S3.PR.9).
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } },
      },
    });
    expect(bucketId).not.toBe(logsBucketId);
  });

  test('the archive bucket policy admits CloudTrail for this trail only, over SSL only', () => {
    const bucketArn = { 'Fn::GetAtt': [stack.getLogicalId(trail.bucket.node.defaultChild as s3.CfnBucket), 'Arn'] };
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: stack.getLogicalId(trail.bucket.node.defaultChild as s3.CfnBucket) },
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          {
            Sid: 'AWSCloudTrailAclCheck',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:GetBucketAcl',
            Resource: bucketArn,
            Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } },
          },
          {
            Sid: 'AWSCloudTrailWrite',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [bucketArn, '/AWSLogs/123456789012/*']] },
            Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL_ARN } },
          },
        ],
      },
    });
  });

  test('the access-log bucket is hardened and admits the S3 logging service for the archive bucket only', () => {
    const logsBucket = trail.accessLogsBucket!.node.defaultChild as s3.CfnBucket;
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketName: Match.absent(),
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        LoggingConfiguration: Match.absent(),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: stack.getLogicalId(logsBucket) },
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          {
            Sid: 'S3ServerAccessLogsForTheArchiveBucket',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [stack.getLogicalId(logsBucket), 'Arn'] }, '/archive/*']] },
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [stack.getLogicalId(trail.bucket.node.defaultChild as s3.CfnBucket), 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': '123456789012' },
            },
          },
        ],
      },
    });
  });

  test('the log group is KMS-encrypted, keeps a year and is retained', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: {
        LogGroupName: '/aws/cloudtrail/audit-trail',
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(trail.encryptionKey.node.defaultChild as CfnElement), 'Arn'] },
      },
    });
  });

  test('only CloudTrail assumes the CloudWatch Logs role, and the role writes to the trail log group only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        // No aws:SourceArn condition: CloudTrail does not support it for this role (CloudTrail
        // User Guide, "Role policy document for CloudTrail to use CloudWatch Logs for monitoring").
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 'sts:AssumeRole',
        }],
      },
      Policies: Match.absent(),
      ManagedPolicyArns: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: stack.getLogicalId(trail.cloudWatchLogsRole.node.defaultChild as CfnElement) }],
      PolicyDocument: {
        Statement: [{
          Sid: 'WriteTrailLogStreams',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:/aws/cloudtrail/audit-trail:log-stream:123456789012_CloudTrail_*']],
          },
        }],
      },
    });
    // No inline policies anywhere (NIST/HIPAA/PCI IAMNoInlinePolicy).
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('the trail waits for its bucket policy and its CloudWatch Logs policy', () => {
    const trailResource = template.toJSON().Resources[stack.getLogicalId(trail.trail)];
    expect(trailResource.DependsOn).toEqual(expect.arrayContaining([
      stack.getLogicalId(trail.bucket.policy!.node.defaultChild as s3.CfnBucketPolicy),
      stack.getLogicalId(trail.node.findChild('CloudWatchLogsPolicy').node.defaultChild as CfnElement),
    ]));
  });

  test('creates a KMS-encrypted alarm topic with an SSL-only policy', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('creates no GuardDuty detector and no Security Hub by default', () => {
    template.resourceCountIs('AWS::GuardDuty::Detector', 0);
    template.resourceCountIs('AWS::SecurityHub::Hub', 0);
    template.resourceCountIs('AWS::SecurityHub::Standard', 0);
  });

  testGates({ stack, nagScopes: [stack] });
});

describe('SecurityAuditTrail cdk-nag gate', () => {
  test('default props (no trailName): no unacknowledged finding in the four packs', () => {
    const { stack } = build();
    expectNoUnacknowledgedFindings(stack);
  });

  test('every acknowledgement names an exact finding, sits on an L1 resource and says why', () => {
    const { stack, trail } = build({ trailName: 'audit-trail' });
    const acks = acknowledgements(stack);
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
      'TestStack/AuditTrail/AccessLogsBucket/Resource HIPAA.Security-S3BucketReplicationEnabled',
      'TestStack/AuditTrail/AccessLogsBucket/Resource HIPAA.Security-S3DefaultEncryptionKMS',
      'TestStack/AuditTrail/AccessLogsBucket/Resource NIST.800.53.R5-S3BucketReplicationEnabled',
      'TestStack/AuditTrail/AccessLogsBucket/Resource NIST.800.53.R5-S3DefaultEncryptionKMS',
      'TestStack/AuditTrail/AccessLogsBucket/Resource PCI.DSS.321-S3BucketReplicationEnabled',
      'TestStack/AuditTrail/AccessLogsBucket/Resource PCI.DSS.321-S3DefaultEncryptionKMS',
      'TestStack/AuditTrail/Bucket/Resource HIPAA.Security-S3BucketReplicationEnabled',
      'TestStack/AuditTrail/Bucket/Resource NIST.800.53.R5-S3BucketReplicationEnabled',
      'TestStack/AuditTrail/Bucket/Resource PCI.DSS.321-S3BucketReplicationEnabled',
      'TestStack/AuditTrail/CloudWatchLogsPolicy/Resource AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/audit-trail:log-stream:123456789012_CloudTrail_*]',
    ]);
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(80);
    }
    for (const ack of acks.filter((a) => a.id.endsWith('S3BucketReplicationEnabled'))) {
      expect(ack.reason).toMatch(/another Region/);
    }
    for (const ack of acks.filter((a) => a.path.endsWith('AuditTrail/Bucket/Resource'))) {
      expect(ack.reason).toMatch(/under Object Lock/);
      expect(ack.reason).toMatch(/pass `replicationBucket`/);
    }
    const byPath = new Map(stack.node.findAll().map((c) => [c.node.path, c]));
    for (const ack of acks) expect(byPath.get(ack.path)).toBeInstanceOf(CfnResource);
    // trail.bucket is the archive bucket, the one whose L1 carries the Object Lock acknowledgement.
    expect(trail.bucket.node.defaultChild?.node.path).toBe('TestStack/AuditTrail/Bucket/Resource');
  });
});

describe('SecurityAuditTrail fully configured', () => {
  const { stack, trail } = fullyConfigured();
  const template = Template.fromStack(stack);

  test('an organization trail admits member account log files under the organization id', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', { IsOrganizationTrail: true, TrailName: 'audit-trail' });
    const bucketArn = { 'Fn::GetAtt': [stack.getLogicalId(trail.bucket.node.defaultChild as s3.CfnBucket), 'Arn'] };
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'AWSCloudTrailWrite',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: [
            { 'Fn::Join': ['', [bucketArn, '/AWSLogs/123456789012/*']] },
            { 'Fn::Join': ['', [bucketArn, '/AWSLogs/o-abcdef1234/*']] },
          ],
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL_ARN } },
        }]),
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [Match.objectLike({
          Resource: [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:/audit/trail:log-stream:123456789012_CloudTrail_*']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:/audit/trail:log-stream:o-abcdef1234_*']] },
          ],
        })],
      },
    });
  });

  test('data events use advanced selectors that keep all management events and leave out the trail buckets', () => {
    const bucketArn = (b: s3.IBucket | undefined) => ({ 'Fn::GetAtt': [stack.getLogicalId(b!.node.defaultChild as s3.CfnBucket), 'Arn'] });
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      EventSelectors: Match.absent(),
      AdvancedEventSelectors: [
        { Name: 'All management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        {
          Name: 'S3 object events, except the trail buckets',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            {
              Field: 'resources.ARN',
              NotStartsWith: [
                { 'Fn::Join': ['', [bucketArn(trail.bucket), '/']] },
                { 'Fn::Join': ['', [bucketArn(trail.accessLogsBucket), '/']] },
              ],
            },
            { Field: 'readOnly', Equals: ['false'] },
          ],
        },
        {
          Name: 'Lambda invocations of selected functions',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] },
            { Field: 'resources.ARN', Equals: ['arn:aws:lambda:us-east-1:123456789012:function:payments'] },
            { Field: 'readOnly', Equals: ['false'] },
          ],
        },
      ],
      InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }],
    });
  });

  test('Object Lock, the lifecycle and the retention follow the props', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'example-audit-archive',
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ Transitions: [{ StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 30 }], ExpirationInDays: 3650 })],
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/audit/trail', RetentionInDays: 731 });
  });

  test('disabling a Security Hub control says at synth that Security Hub will fail it', () => {
    Annotations.fromStack(stack).hasWarning('/TestStack/AuditTrail',
      Match.stringLikeRegexp('CloudWatch.3 is in disabledControls: Security Hub\'s CloudWatch.3 check fails'));
  });

  test('a disabled control has neither filter nor alarm', () => {
    expect(trail.controlIds).not.toContain('CloudWatch.3');
    expect(trail.node.tryFindChild('CloudWatch.3')).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::Logs::MetricFilter', {
      MetricTransformations: [Match.objectLike({ MetricName: 'ConsoleSignInWithoutMFA' })],
    }, 0);
    expectValidationError(() => trail.alarm('CloudWatch.3'),
      { path: 'TestStack/AuditTrail', prop: 'controlId', message: /^'CloudWatch.3' is in disabledControls/ });
  });

  test('a tuned alarm sits next to the exact one, which keeps the published pattern', () => {
    expect(synthesizedPattern(stack, trail, 'CloudWatch.2')).toBe(PUBLISHED.patterns['CloudWatch.2']);
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: Match.stringLikeRegexp('assumed-role/scanner'),
      MetricTransformations: [{ MetricName: 'UnauthorizedAPICallsTuned', MetricNamespace: 'LogMetrics', MetricValue: '1' }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'UnauthorizedAPICallsTuned',
      Threshold: 10,
      EvaluationPeriods: 2,
      AlarmActions: [{ Ref: stack.getLogicalId(trail.alarmTopic.node.defaultChild as sns.CfnTopic) }],
    });
    // 14 exact (CloudWatch.3 disabled) + 1 tuned.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 15);
  });

  test('rejects a second tuned alarm with the same metric name', () => {
    expectValidationError(() => trail.addTunedAlarm('CloudWatch.2', { filterPattern: '{ $.errorCode = "AccessDenied" }' }),
      { path: 'TestStack/AuditTrail', prop: 'metricName', message: /^must be unique among this trail's control metrics, got 'UnauthorizedAPICallsTuned'/ });
  });

  testGates({ stack, nagScopes: [stack] });
});

describe('SecurityAuditTrail options', () => {
  test('uses a passed alarm topic and creates none', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Ops', { enforceSSL: true });
    const trail = new SecurityAuditTrail(stack, 'AuditTrail', { alarmTopic: topic });
    expect(trail.alarmTopic).toBe(topic);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }] });
  });

  test('selected S3 buckets are recorded by ARN prefix', () => {
    const stack = testStack();
    const data = s3.Bucket.fromBucketName(stack, 'Data', 'customer-data');
    new SecurityAuditTrail(stack, 'AuditTrail', { dataEvents: { s3Buckets: [data], allLambdaFunctions: true } });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudTrail::Trail', {
      AdvancedEventSelectors: Match.arrayWith([
        Match.objectLike({
          FieldSelectors: Match.arrayWith([{
            Field: 'resources.ARN',
            StartsWith: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::customer-data/']] }],
          }]),
        }),
        { Name: 'Lambda invocations', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] }] },
      ]),
    });
  });

  test('grantRead lets a principal read and decrypt the log files', () => {
    const stack = testStack();
    const trail = new SecurityAuditTrail(stack, 'AuditTrail');
    const auditor = new iam.Role(stack, 'Auditor', { assumedBy: new iam.AccountRootPrincipal() });
    trail.grantRead(auditor);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(auditor.node.defaultChild as CfnElement) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*']) }),
          Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt']), Resource: { 'Fn::GetAtt': [stack.getLogicalId(trail.encryptionKey.node.defaultChild as CfnElement), 'Arn'] } }),
        ]),
      },
    });
  });
});

describe('SecurityAuditTrail validation', () => {
  /** `message` is the whole message after the path; its first word is the prop. */
  const expectError = (props: SecurityAuditTrailProps, message: string) => {
    const prop = message.split(' ', 1)[0];
    expectValidationError(() => new SecurityAuditTrail(testStack(), 'AuditTrail', props),
      { path: 'TestStack/AuditTrail', prop, message: message.slice(prop.length + 1) });
  };

  test('rejects a log retention under 365 days', () => {
    expectError({ logRetention: logs.RetentionDays.SIX_MONTHS },
      'logRetention must be at least 365 days (logs.RetentionDays.ONE_YEAR), got 180 days');
  });

  test('rejects an archive expiration under 365 days', () => {
    expectError({ archiveExpiration: Duration.days(90), archiveTransitionAfter: Duration.days(30) },
      'archiveExpiration must be between 365 days and 36500 days, got 90 days');
  });

  test('rejects a transition that is not before the expiration', () => {
    expectError({ archiveExpiration: Duration.days(400), archiveTransitionAfter: Duration.days(400) },
      'archiveTransitionAfter must be earlier than archiveExpiration (400 days), got 400 days');
  });

  test('rejects an organization trail without organizationId', () => {
    expectError({ organizationTrail: true },
      'organizationId is required with organizationTrail: the bucket policy must admit the member accounts\' log files under AWSLogs/<organizationId>/');
  });

  test('rejects a malformed organizationId', () => {
    expectError({ organizationTrail: true, organizationId: '123456789012' },
      'organizationId must look like o-xxxxxxxxxx (o- and 10 to 32 lowercase letters or digits), got \'123456789012\'');
  });

  test('rejects an organizationId without organizationTrail', () => {
    expectError({ organizationId: 'o-abcdef1234' }, 'organizationId is only used with organizationTrail: true');
  });

  test('rejects data-event selectors that include the trail bucket', () => {
    const stack = testStack();
    const own = s3.Bucket.fromBucketName(stack, 'Own', 'example-audit-archive');
    expectValidationError(() => new SecurityAuditTrail(stack, 'AuditTrail', { bucketName: 'example-audit-archive', dataEvents: { s3Buckets: [own] } }),
      { path: 'TestStack/AuditTrail', prop: 'dataEvents.s3Buckets', message: 'must not include the trail\'s own archive bucket \'example-audit-archive\': CloudTrail would record its own log deliveries (a feedback loop)' });
  });

  test('rejects data-event selectors that include the access-log bucket', () => {
    const stack = testStack();
    const own = s3.Bucket.fromBucketName(stack, 'Own', 'example-audit-logs');
    expectValidationError(() => new SecurityAuditTrail(stack, 'AuditTrail', { accessLogsBucketName: 'example-audit-logs', dataEvents: { s3Buckets: [own] } }),
      { path: 'TestStack/AuditTrail', prop: 'dataEvents.s3Buckets', message: /^must not include the trail's own access-log bucket 'example-audit-logs'/ });
  });

  test('rejects data events that select nothing, or both a list and all', () => {
    expectError({ dataEvents: {} },
      'dataEvents must select S3 buckets or Lambda functions (s3Buckets, allS3Buckets, lambdaFunctions or allLambdaFunctions)');
    const stack = testStack();
    const other = s3.Bucket.fromBucketName(stack, 'Other', 'other');
    expectValidationError(() => new SecurityAuditTrail(stack, 'AuditTrail', { dataEvents: { allS3Buckets: true, s3Buckets: [other] } }),
      { path: 'TestStack/AuditTrail', prop: 'dataEvents.s3Buckets', message: 'cannot be combined with dataEvents.allS3Buckets' });
    expectError({ dataEvents: { allLambdaFunctions: true, readWriteType: cloudtrail.ReadWriteType.NONE } },
      'dataEvents.readWriteType must be READ_ONLY, WRITE_ONLY or ALL; leave dataEvents out to record no data events');
  });

  test('rejects an unknown disabled control', () => {
    expectError({ disabledControls: ['CloudWatch.99'] },
      'disabledControls must contain only known control ids (CloudWatch.1, CloudWatch.2, CloudWatch.3, CloudWatch.4, CloudWatch.5, ' +
      'CloudWatch.6, CloudWatch.7, CloudWatch.8, CloudWatch.9, CloudWatch.10, CloudWatch.11, CloudWatch.12, CloudWatch.13, ' +
      'CloudWatch.14, CIS.4.15), got \'CloudWatch.99\'');
  });

  test('rejects a malformed trail name', () => {
    expectError({ trailName: 'bad name!' },
      'trailName must be 3 to 128 letters, digits, periods, underscores or dashes, starting and ending with a letter or digit, got \'bad name!\'');
  });

  test('rejects an Object Lock retention longer than the archive expiration', () => {
    expectError({ objectLockRetention: s3.ObjectLockRetention.compliance(Duration.days(3000)) },
      'objectLockRetention must be between 1 day and 2555 days, got 3000 days');
  });

  test('rejects a tuned alarm for an unknown control, or with a threshold under 1', () => {
    const { trail } = build();
    expectValidationError(() => trail.addTunedAlarm('CloudWatch.0', { filterPattern: '{ $.x = 1 }' }),
      { path: 'TestStack/AuditTrail', prop: 'controlId', message: /^must be one of .*, got 'CloudWatch.0'/ });
    expectValidationError(() => trail.addTunedAlarm('CloudWatch.1', { filterPattern: '{ $.x = 1 }', threshold: 0 }),
      { path: 'TestStack/AuditTrail', prop: 'threshold', message: 'must be between 1 and 1000000, got 0' });
  });

  test('rejects a tuned alarm whose evaluationPeriods is not a whole number of periods', () => {
    const { trail } = build();
    expectValidationError(() => trail.addTunedAlarm('CloudWatch.1', { filterPattern: '{ $.x = 1 }', evaluationPeriods: 2.5 }),
      { path: 'TestStack/AuditTrail', prop: 'evaluationPeriods', message: /whole number.*got 2\.5|got 2\.5.*whole/ });
  });
});

/** CIS v5.0.0 section 4 patterns; the file names its public sources (see its `sources`). */
const PUBLISHED_V5: { sources: Record<string, string>; patterns: Record<string, { source: string; pattern: string }> } = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'data', 'cis-v5-metric-filters.json'), 'utf8'));

describe('SecurityAuditTrail CIS v5 profile', () => {
  const stack = testStack();
  const trail = new SecurityAuditTrail(stack, 'AuditTrail', { cisProfile: CisProfile.CIS_V5 });
  const template = Template.fromStack(stack);

  test('the reference data names its sources', () => {
    expect(PUBLISHED_V5.sources.steampipe).toContain('turbot/steampipe-mod-aws-compliance');
    expect(PUBLISHED_V5.sources.prowler).toContain('0b63ccb9ea34dba71f6f4d17e92a955e1431f2de');
    expect(Object.keys(PUBLISHED_V5.patterns)).toEqual(Array.from({ length: 15 }, (_, i) => `CIS.4.${i + 1}`));
  });

  test.each(Object.keys(PUBLISHED_V5.patterns))('synthesizes the %s filter pattern byte for byte as published', (controlId) => {
    expect(Buffer.from(synthesizedPattern(stack, trail, controlId), 'utf8'))
      .toEqual(Buffer.from(PUBLISHED_V5.patterns[controlId].pattern, 'utf8'));
  });

  test('4.1 joins its exclusions with &&, unlike the v1.3-v1.5 text', () => {
    expect(synthesizedPattern(stack, trail, 'CIS.4.1')).toMatch(/\) && \(\$\.sourceIPAddress!="delivery\.logs\.amazonaws\.com"\) && \(\$\.eventName!="HeadBucket"\) }$/);
  });

  test('15 alarms to the notification topic, each naming its recommendation', () => {
    template.resourceCountIs('AWS::Logs::MetricFilter', 15);
    expect(trail.controlIds).toEqual(Object.keys(PUBLISHED_V5.patterns));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'RootAccountUsage',
      AlarmDescription: Match.stringLikeRegexp('^CIS AWS Foundations Benchmark v5.0.0 4.3: the root user was used'),
    });
  });

  test('says at synth that Security Hub\'s CloudWatch checks will not pass', () => {
    Annotations.fromStack(stack).hasWarning('/TestStack/AuditTrail', Match.stringLikeRegexp('cisProfile is CIS_V5'));
    Annotations.fromStack(build().stack).hasNoWarning('/TestStack/AuditTrail', Match.stringLikeRegexp('cisProfile is CIS_V5'));
  });

  testGates({ stack, nagScopes: [stack] });

  test('rejects Security Hub control ids, which this profile does not have', () => {
    expectValidationError(() => new SecurityAuditTrail(testStack(), 'AuditTrail', { cisProfile: CisProfile.CIS_V5, disabledControls: ['CloudWatch.3'] }),
      { path: 'TestStack/AuditTrail', prop: 'disabledControls', message: /^must contain only known control ids \(CIS.4.1, .*CIS.4.15\), got 'CloudWatch.3'/ });
  });
});

describe('SecurityAuditTrail archive options', () => {
  test('replicates KMS-encrypted log files to an existing bucket in another Region, with Object Lock settings', () => {
    const stack = testStack();
    const destination = s3.Bucket.fromBucketAttributes(stack, 'Dr', { bucketArn: 'arn:aws:s3:::audit-archive-eu-west-1', region: 'eu-west-1' });
    const drKey = kms.Key.fromKeyArn(stack, 'DrKey', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const trail = new SecurityAuditTrail(stack, 'AuditTrail', { replicationBucket: destination, replicationKey: drKey });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ReplicationConfiguration: {
        Role: Match.anyValue(),
        Rules: [Match.objectLike({
          Status: 'Enabled',
          Destination: Match.objectLike({
            Bucket: 'arn:aws:s3:::audit-archive-eu-west-1',
            EncryptionConfiguration: { ReplicaKmsKeyID: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
          }),
          SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
        })],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'ReadObjectLockSettingsToReplicate',
          Action: ['s3:GetObjectRetention', 's3:GetObjectLegalHold'],
        })]),
      },
    });
    // With replication in place, the archive bucket needs no replication acknowledgement.
    expect(acknowledgements(trail).filter((a) => a.path.endsWith('AuditTrail/Bucket/Resource'))).toEqual([]);
    expectSecureTemplate({ stack, nagScopes: [stack] });
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('a central archive bucket and key: no bucket or key is created, and synth says what their policies must allow', () => {
    const stack = testStack();
    const central = s3.Bucket.fromBucketName(stack, 'Central', 'org-log-archive');
    const key = kms.Key.fromKeyArn(stack, 'OrgKey', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const trail = new SecurityAuditTrail(stack, 'AuditTrail', { bucket: central, encryptionKey: key, trailName: 'org-trail' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::KMS::Key', 1); // the notifications key only
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      S3BucketName: 'org-log-archive',
      KMSKeyId: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    expect(trail.accessLogsBucket).toBeUndefined();
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/TestStack/AuditTrail', Match.stringLikeRegexp('archive bucket org-log-archive is not created here'));
    annotations.hasWarning('/TestStack/OrgKey', Match.stringLikeRegexp('must let cloudtrail.amazonaws.com call kms:GenerateDataKey'));
  });

  test('a bucket of this stack passed as the central archive gets the delivery statements', () => {
    const stack = testStack();
    const central = new s3.Bucket(stack, 'Central', { enforceSSL: true });
    new SecurityAuditTrail(stack, 'AuditTrail', { bucket: central, trailName: 'audit-trail' });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: stack.getLogicalId(central.node.defaultChild as s3.CfnBucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AWSCloudTrailAclCheck', Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } } }),
          Match.objectLike({ Sid: 'AWSCloudTrailWrite', Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL_ARN } } }),
        ]),
      },
    });
  });

  test('rejects archive props with a central bucket, and a replication key without a replication bucket', () => {
    const stack = testStack();
    const central = s3.Bucket.fromBucketName(stack, 'Central', 'org-log-archive');
    expectValidationError(() => new SecurityAuditTrail(stack, 'AuditTrail', { bucket: central, bucketName: 'x-archive' }),
      { path: 'TestStack/AuditTrail', prop: 'bucketName', message: 'cannot be combined with bucket: an existing archive bucket keeps its own settings' });
    const stack2 = testStack();
    const key = kms.Key.fromKeyArn(stack2, 'K', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expectValidationError(() => new SecurityAuditTrail(stack2, 'AuditTrail', { replicationKey: key }),
      { path: 'TestStack/AuditTrail', prop: 'replicationKey', message: 'is only used with replicationBucket' });
  });
});
