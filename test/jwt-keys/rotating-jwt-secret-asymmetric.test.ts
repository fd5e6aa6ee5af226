/**
 * RotatingJwtSecret with an asymmetric ring (ES256, EdDSA): the JWKS bucket, who may write and
 * read the published public keys, and that public-key readers get nothing of the secret.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { JwtSigningAlgorithm, RotatingJwtSecret, RotatingJwtSecretProps } from '../../src/jwt-keys/rotating-jwt-secret';
import { expectCfnLintClean } from '../helpers/cfn-lint';
import { expectNoUnacknowledgedFindings, expectNoUnacknowledgedV2Findings } from '../helpers/nag';
import { testStack } from '../helpers/stack';

function synth(props: RotatingJwtSecretProps): { stack: Stack; secret: RotatingJwtSecret; template: Template } {
  const stack = testStack();
  const secret = new RotatingJwtSecret(stack, 'Jwt', props);
  return { stack, secret, template: Template.fromStack(stack) };
}

function statementsOf(template: Template, type: string): Array<Record<string, unknown>> {
  return Object.values(template.findResources(type)).flatMap((r) => r.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
}

function logicalId(template: Template, type: string, pattern: RegExp): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => pattern.test(id));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('RotatingJwtSecret with ES256', () => {
  const { stack, secret, template } = synth({ algorithm: JwtSigningAlgorithm.ES256 });
  const bucketId = logicalId(template, 'AWS::S3::Bucket', /^JwtJwksBucket/);
  const logsId = logicalId(template, 'AWS::S3::Bucket', /^JwtJwksAccessLogsBucket/);

  test('tells the rotation function its algorithm and where to publish', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          GRACE_PERIOD_SECONDS: '7200',
          MAX_TOKEN_LIFETIME_SECONDS: '3600',
          KEY_ALGORITHM: 'ES256',
          JWKS_BUCKET: { Ref: bucketId },
          JWKS_URL: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] }, '/.well-known/jwks.json']] },
        },
      },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Description: 'JWT signing key ring (ES256), rotated by cdk-security-blocks' });
  });

  test('the JWKS bucket is private, versioned, encrypted, logged and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'jwks/' },
      },
      DeletionPolicy: 'Retain',
    });
    // Every JWKS ever served is kept, unchangeable, as long as old versions are (90 days).
    expect(template.toJSON().Resources[bucketId].Properties).toEqual(expect.objectContaining({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Days: 90, Mode: 'GOVERNANCE' } } },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    }));
  });

  test('the rotation role may put exactly the JWKS object, and nothing else in S3', () => {
    const s3Statements = statementsOf(template, 'AWS::IAM::ManagedPolicy')
      .filter((s) => [s.Action].flat().some((a) => String(a).startsWith('s3:')));
    expect(s3Statements).toEqual([{
      Sid: 'PublishThePublicKeys',
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/.well-known/jwks.json']] },
    }]);
  });

  test('the bucket policy denies object writes and deletes to everyone but the rotation role, and non-SSL requests', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')).filter((p) => p.Properties.Bucket.Ref === bucketId);
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
    expect(statements).toContainEqual({
      Sid: 'OnlyTheRotationRoleWritesPublicKeys',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:RestoreObject'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [expect.stringMatching(/^JwtRotationFunctionServiceRole/), 'Arn'] } } },
    });
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    // No statement allows anything to anyone.
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([]);
  });

  test('the first rotation runs only once the bucket exists', () => {
    const schedule = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'))[0];
    expect(schedule.DependsOn).toEqual(expect.arrayContaining([bucketId]));
  });

  test('grantReadPublicKeys gives s3:GetObject on the JWKS object only, and nothing on the secret or its key', () => {
    const otherStack = testStack();
    const other = new RotatingJwtSecret(otherStack, 'Jwt', { algorithm: JwtSigningAlgorithm.ES256 });
    const reader = new iam.Role(otherStack, 'Verifier', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    other.grantReadPublicKeys(reader);
    const t = Template.fromStack(otherStack);
    const readerPolicy = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => /^Verifier/.test(r.Ref)));
    expect(readerPolicy).toHaveLength(1);
    expect(readerPolicy[0].Properties.PolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/.well-known/jwks.json']] },
    }]);
    expect(JSON.stringify(readerPolicy)).not.toMatch(/secretsmanager|kms:/);
  });

  test('exposes the bucket, object key and URL', () => {
    expect(secret.algorithm).toBe(JwtSigningAlgorithm.ES256);
    expect(secret.jwksObjectKey).toBe('.well-known/jwks.json');
    expect(stack.resolve(secret.jwksUrl)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] }, '/.well-known/jwks.json']] });
    expect(stack.resolve(secret.jwksBucket!.bucketName)).toEqual({ Ref: bucketId });
  });

  test('has zero unacknowledged findings in the four cdk-nag packs (v3 and v2)', () => {
    expectNoUnacknowledgedFindings(stack);
    expectNoUnacknowledgedV2Findings(stack);
  });

  test('passes cfn-lint with no error', () => {
    expectCfnLintClean(stack);
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

test('EdDSA rings get the same bucket, with KEY_ALGORITHM EdDSA', () => {
  const { template } = synth({ algorithm: JwtSigningAlgorithm.EDDSA });
  template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { KEY_ALGORITHM: 'EdDSA' } } });
  template.resourceCountIs('AWS::S3::Bucket', 2);
});

test('HS256 (the default) creates no bucket, publishes nothing, and refuses grantReadPublicKeys', () => {
  const stack = testStack();
  const secret = new RotatingJwtSecret(stack, 'Jwt');
  const reader = new iam.Role(stack, 'Verifier', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::S3::Bucket', 0);
  expect(secret.jwksUrl).toBeUndefined();
  expect(JSON.stringify(template.toJSON())).not.toMatch(/KEY_ALGORITHM|JWKS_/);
  expect(() => secret.grantReadPublicKeys(reader)).toThrow(/algorithm.*HS256/);
});

test('an algorithm outside the enum is rejected at construct time', () => {
  expect(() => synth({ algorithm: 'RS256' as JwtSigningAlgorithm })).toThrow(/algorithm.*must be one of HS256, ES256, EdDSA/);
});
