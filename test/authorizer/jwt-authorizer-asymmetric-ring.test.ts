/**
 * JwtAuthorizer given an ES256 or EdDSA RotatingJwtSecret: the function verifies against the
 * JWKS the ring's rotation publishes and holds exactly what `grantReadPublicKeys` grants,
 * never a permission on the secret or its key.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { JwtAuthorizer } from '../../src/authorizer/jwt-authorizer';
import { publicKeyReadStatements } from '../../src/jwt-keys/jwks-read';
import { JwtSigningAlgorithm, RotatingJwtSecret } from '../../src/jwt-keys/rotating-jwt-secret';
import { testGates } from '../helpers/gates';
import { testStack } from '../helpers/stack';

const PROPS = {
  issuer: 'https://issuer.example.com',
  audience: 'orders-api',
  rolePermissions: { user: ['orders:read'] },
  permissionMethods: { 'orders:read': ['GET /orders'] },
};

function synth(algorithm: JwtSigningAlgorithm): { stack: Stack; keys: RotatingJwtSecret; authz: JwtAuthorizer; template: Template } {
  const stack = testStack();
  const keys = new RotatingJwtSecret(stack, 'Keys', { algorithm });
  const authz = new JwtAuthorizer(stack, 'Authz', { signingKeys: keys, ...PROPS });
  const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false });
  api.root.addResource('orders').addMethod('GET', new apigateway.MockIntegration(), { authorizer: authz.authorizer });
  return { stack, keys, authz, template: Template.fromStack(stack) };
}

/** Every statement of every policy (managed or inline) attached to the role whose logical id matches. */
function roleStatements(template: Template, rolePattern: RegExp): Array<Record<string, any>> {
  const attached = (roles: unknown): boolean => Array.isArray(roles) && roles.some((r) => rolePattern.test(JSON.stringify(r)));
  return [
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
    ...Object.values(template.findResources('AWS::IAM::Policy')),
  ].filter((p) => attached(p.Properties.Roles)).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

function actionsOf(statements: Array<Record<string, any>>): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

describe.each([JwtSigningAlgorithm.ES256, JwtSigningAlgorithm.EDDSA])('JwtAuthorizer with an %s RotatingJwtSecret', (algorithm) => {
  const { stack, authz, template } = synth(algorithm);

  test('points the handler at the ring\'s JWKS object, the bucket\'s Region and the ring\'s one algorithm, and at no secret', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('orders-api') } }));
    expect(fn).toHaveLength(1);
    const vars = fn[0].Properties.Environment.Variables;
    expect(vars).toEqual(expect.objectContaining({
      JWT_JWKS_BUCKET: { Ref: expect.stringMatching(/^KeysJwksBucket/) },
      JWT_JWKS_OBJECT_KEY: '.well-known/jwks.json',
      JWT_JWKS_BUCKET_REGION: 'us-east-1',
      JWT_ALGORITHMS: algorithm,
      JWT_ISSUER: PROPS.issuer,
    }));
    expect(vars).not.toHaveProperty('JWT_SECRET_ID');
    expect(vars).not.toHaveProperty('JWT_JWKS_URL');
    expect(fn[0].Properties.Description).toBe(`Verifies ${algorithm} JWTs for orders-api (fails closed)`);
  });

  test('its role may read the JWKS object and write its logs, and has no permission on the secret or its key', () => {
    const statements = roleStatements(template, /AuthzFunctionServiceRole/);
    expect(statements).toEqual(expect.arrayContaining([{
      Sid: 'ReadThePublishedPublicKeys',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^KeysJwksBucket/), 'Arn'] }, '/.well-known/jwks.json']] },
    }]));
    expect(statements.map((s) => s.Sid).sort()).toEqual(['ReadThePublishedPublicKeys', 'WriteOwnLogGroup']);
    const actions = actionsOf(statements);
    expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  test('no policy in the template lets the authorizer role call secretsmanager:GetSecretValue', () => {
    const all = [
      ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
      ...Object.values(template.findResources('AWS::IAM::Policy')),
    ];
    const onAuthz = all.filter((p) => /AuthzFunctionServiceRole/.test(JSON.stringify(p.Properties.Roles ?? [])));
    expect(onAuthz.length).toBeGreaterThan(0);
    expect(JSON.stringify(onAuthz)).not.toMatch(/secretsmanager:/);
    // Nor does the secret's resource policy name the authorizer role.
    expect(JSON.stringify(template.findResources('AWS::SecretsManager::ResourcePolicy'))).not.toMatch(/AuthzFunctionServiceRole/);
  });

  test('holds exactly what grantReadPublicKeys gives any other verifier', () => {
    const { keys, template: t } = ((): { keys: RotatingJwtSecret; template: Template } => {
      const s = testStack();
      const k = new RotatingJwtSecret(s, 'Keys', { algorithm });
      const partner = new iam.Role(s, 'Partner', { assumedBy: new iam.AccountPrincipal('210987654321') });
      k.grantReadPublicKeys(partner);
      return { keys: k, template: Template.fromStack(s) };
    })();
    expect(keys.jwksObjectKey).toBe('.well-known/jwks.json');
    const partner = roleStatements(t, /Partner/).map(({ Sid: _sid, ...rest }) => rest);
    const authzRead = roleStatements(template, /AuthzFunctionServiceRole/).filter((s) => s.Sid !== 'WriteOwnLogGroup').map(({ Sid: _sid, ...rest }) => rest);
    expect(authzRead).toEqual(partner);
  });

  testGates({ stack, nagScopes: [authz] });
});

describe('JwtAuthorizer with an asymmetric ring of another Region', () => {
  test('reads the JWKS in the ring\'s Region and needs no replica there', () => {
    const app = new App();
    const home = new Stack(app, 'Home', { env: { account: '123456789012', region: 'us-east-1' }, crossRegionReferences: true });
    const away = new Stack(app, 'Away', { env: { account: '123456789012', region: 'eu-west-1' }, crossRegionReferences: true });
    const keys = new RotatingJwtSecret(home, 'Keys', { algorithm: JwtSigningAlgorithm.ES256 });
    const authz = new JwtAuthorizer(away, 'Authz', { signingKeys: keys, ...PROPS });
    const api = new apigateway.RestApi(away, 'Api', { cloudWatchRole: false });
    api.root.addMethod('GET', new apigateway.MockIntegration(), { authorizer: authz.authorizer });
    const template = Template.fromStack(away);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ JWT_JWKS_BUCKET_REGION: 'us-east-1', JWT_ALGORITHMS: 'ES256' }) },
    });
    expect(actionsOf(roleStatements(template, /AuthzFunctionServiceRole/)).filter((a) => !a.startsWith('logs:'))).toEqual(['s3:GetObject']);
  });
});

describe('publicKeyReadStatements', () => {
  test('adds kms:Decrypt through S3 only when the bucket is KMS-encrypted', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS });
    const statements = publicKeyReadStatements(bucket, '.well-known/jwks.json').map((s) => stack.resolve(s.toStatementJson()));
    expect(statements).toEqual([
      expect.objectContaining({ Action: 's3:GetObject' }),
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^BucketKey/), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
      }),
    ]);
  });
});
