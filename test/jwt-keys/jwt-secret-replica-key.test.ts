import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { JwtSecretReplicaKey } from '../../src/jwt-keys/jwt-secret-replica-key';
import { RotatingJwtSecret } from '../../src/jwt-keys/rotating-jwt-secret';
import { testGates } from '../helpers/gates';
import { DENY_GRANTS_NOT_FOR_AWS_SERVICES } from '../helpers/kms-statements';
import { expectValidationError } from '../helpers/validation-error';

const ACCOUNT = '123456789012';
const ROOT = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:root`]] } };

/** The two-stack pattern of the README: the replica's key in its Region, the secret at home. */
function twoStacks(): { app: App; keys: Stack; home: Stack; replicaKey: JwtSecretReplicaKey; secret: RotatingJwtSecret } {
  const app = new App();
  const keys = new Stack(app, 'KeysEu', { env: { account: ACCOUNT, region: 'eu-west-1' }, crossRegionReferences: true });
  const replicaKey = new JwtSecretReplicaKey(keys, 'ReplicaKey');
  const home = new Stack(app, 'Home', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
  const secret = new RotatingJwtSecret(home, 'Jwt', { replicaRegions: [replicaKey.replicaRegion] });
  return { app, keys, home, replicaKey, secret };
}

describe('JwtSecretReplicaKey in a stack of the replica Region', () => {
  const { keys, home, replicaKey, secret } = twoStacks();
  const keysTemplate = Template.fromStack(keys);
  const homeTemplate = Template.fromStack(home);
  const keyLogicalId = keys.getLogicalId(replicaKey.key.node.defaultChild as kms.CfnKey);

  /** The SSM export name the home stack reads `value` through (a cross-Region reference). */
  function exportNameOf(value: unknown): string {
    const getAtt = (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
    expect(homeTemplate.toJSON().Resources[getAtt[0]].Type).toBe('Custom::CrossRegionExportReader');
    return getAtt[1];
  }
  /** What the replica Region's stack writes under that export name. */
  function exportedValue(name: string): unknown {
    const writers = Object.values(keysTemplate.findResources('Custom::CrossRegionExportWriter'));
    expect(writers).toHaveLength(1);
    return writers[0].Properties.WriterProps.exports[name];
  }

  test('creates a customer-managed key that rotates, is retained and waits 30 days before deletion', () => {
    keysTemplate.resourceCountIs('AWS::KMS::Key', 1);
    keysTemplate.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 30, Description: 'Encrypts the replica of a JWT signing key ring in eu-west-1' },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('has the key policy of the primary secret\'s key: account root, grants only for AWS services, Secrets Manager in its own Region', () => {
    const statements = Object.values(keysTemplate.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
    const viaSecretsManagerHere = { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } };
    expect(statements).toEqual([
      { Effect: 'Allow', Principal: ROOT, Action: 'kms:*', Resource: '*' },
      DENY_GRANTS_NOT_FOR_AWS_SERVICES,
      {
        Effect: 'Allow',
        Principal: ROOT,
        Resource: '*',
        Condition: viaSecretsManagerHere,
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
      },
      { Effect: 'Allow', Principal: ROOT, Resource: '*', Condition: viaSecretsManagerHere, Action: ['kms:CreateGrant', 'kms:DescribeKey'] },
    ]);
    // The primary key's policy has the same Secrets Manager statements, for the home Region.
    const primary = Object.values(homeTemplate.findResources('AWS::KMS::Key'))
      .map((k) => k.Properties.KeyPolicy.Statement)
      .find((st) => st.some((s: { Action: unknown }) => JSON.stringify(s.Action) === JSON.stringify(['kms:CreateGrant', 'kms:DescribeKey'])));
    expect(JSON.stringify(primary.slice(0, 4)).replace(/us-east-1/g, 'eu-west-1')).toBe(JSON.stringify(statements));
  });

  test('encrypts the replica: the secret\'s KmsKeyId for eu-west-1 is this key\'s ARN, read across Regions', () => {
    const secretProps = Object.values(homeTemplate.findResources('AWS::SecretsManager::Secret'))[0].Properties;
    expect(secretProps.ReplicaRegions).toHaveLength(1);
    expect(secretProps.ReplicaRegions[0].Region).toBe('eu-west-1');
    expect(exportedValue(exportNameOf(secretProps.ReplicaRegions[0].KmsKeyId))).toEqual({ 'Fn::GetAtt': [keyLogicalId, 'Arn'] });
  });

  test('lets the rotation role encrypt with it only through Secrets Manager in eu-west-1, for the replica', () => {
    const statements = Object.values(homeTemplate.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
    const replicate = statements.filter((st) => st.Sid === 'ReplicateToReplica0');
    expect(replicate).toHaveLength(1);
    expect(replicate[0]).toMatchObject({ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:GenerateDataKey'] });
    expect(exportedValue(exportNameOf(replicate[0].Resource))).toEqual({ 'Fn::GetAtt': [keyLogicalId, 'Arn'] });
    const condition = (replicate[0].Condition as { StringEquals: Record<string, unknown> }).StringEquals;
    expect(condition['kms:ViaService']).toBe('secretsmanager.eu-west-1.amazonaws.com');
    expect(home.resolve(secret.replicaSecretArn('eu-west-1'))).toEqual(condition['kms:EncryptionContext:SecretARN']);
  });

  test('the secret\'s stack deploys after the key\'s', () => {
    expect(home.dependencies).toContain(keys);
  });

  test('exposes its Region and key as the replicaRegions entry', () => {
    expect(replicaKey.region).toBe('eu-west-1');
    expect(replicaKey.replicaRegion).toEqual({ region: 'eu-west-1', encryptionKey: replicaKey.key });
  });

  describe('the replica Region\'s stack', () => {
    testGates({ stack: keys, nagScopes: [replicaKey] });
  });

  describe('the secret\'s stack', () => {
    testGates({ stack: home, nagScopes: [secret] });
  });
});

describe('JwtSecretReplicaKey validation', () => {
  test('refuses a stack without a concrete Region', () => {
    const stack = new Stack(new App(), 'Agnostic');
    expectValidationError(() => new JwtSecretReplicaKey(stack, 'ReplicaKey'), {
      path: 'Agnostic/ReplicaKey', prop: 'stack', message: 'must have a concrete Region (env.region): a replica is declared by Region name',
    });
  });

  test('RotatingJwtSecret refuses a replica whose key is in another Region', () => {
    const app = new App();
    const keys = new Stack(app, 'KeysEu', { env: { account: ACCOUNT, region: 'eu-west-1' }, crossRegionReferences: true });
    const replicaKey = new JwtSecretReplicaKey(keys, 'ReplicaKey');
    const home = new Stack(app, 'Home', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
    expectValidationError(() => new RotatingJwtSecret(home, 'Jwt', { replicaRegions: [{ region: 'eu-central-1', encryptionKey: replicaKey.key }] }), {
      path: 'Home/Jwt', prop: 'replicaRegions[0].encryptionKey', message: 'must be a KMS key in eu-central-1 (a replica is encrypted in its own Region), got a key in eu-west-1',
    });
  });
});
