/**
 * Issue 23 (3) and issue 22 (6): verifying a ring's tokens from another account. Two stacks of
 * two accounts in one app: the ring's (account A) and a JwtAuthorizer's (account B). An
 * asymmetric ring works across accounts through its JWKS object (the bucket names B's
 * authorizer, the authorizer's own role names the object); an HS256 ring is refused with the
 * supported path. grantReadPublicKeys takes another account, an organization and an OU.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { JwtSigningAlgorithm, RotatingJwtSecret } from '../../src/jwt-keys/rotating-jwt-secret';
import { HardenedRestApi } from '../../src/rest-api/hardened-rest-api';
import { expectCfnLintClean } from '../helpers/cfn-lint';
import { expectNoUnacknowledgedFindings, expectNoUnacknowledgedV2Findings } from '../helpers/nag';
import { PROPS, REGION, RING_ACCOUNT, twoAccounts, VERIFIER_ACCOUNT } from '../helpers/two-accounts';
import { expectValidationError } from '../helpers/validation-error';

const OBJECT_KEY = '.well-known/jwks.json';
/** An ARN as aws-cdk-lib writes one it knows all but the partition of. */
const arn = (rest: string): unknown => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

/** The JWKS bucket's literal name, as both templates carry it (generated: no export crosses accounts). */
function jwksBucketName(ring: Template): string {
  const [bucket] = Object.entries(ring.findResources('AWS::S3::Bucket')).filter(([id]) => id.startsWith('KeysJwksBucket'));
  const name = bucket[1].Properties.BucketName;
  expect(typeof name).toBe('string');
  return name;
}

function bucketStatements(ring: Template): Array<Record<string, any>> {
  const policies = Object.values(ring.findResources('AWS::S3::BucketPolicy'))
    .filter((p) => JSON.stringify(p.Properties.Bucket).includes('KeysJwksBucket'));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

/** The statements that allow anything to anyone outside the ring's account. */
const allowsOutside = (statements: Array<Record<string, any>>): Array<Record<string, any>> =>
  statements.filter((s) => s.Effect === 'Allow');

describe('a JwtAuthorizer in account B given an ES256 ring of account A', () => {
  const { ringStack, verifierStack, authz } = twoAccounts();
  const ring = Template.fromStack(ringStack);
  const verifier = Template.fromStack(verifierStack);
  const bucketName = jwksBucketName(ring);
  const objectArn = arn(`:s3:::${bucketName}/${OBJECT_KEY}`);
  const roleName = verifier.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('^Runs authorizer-jwks') } });

  test('the authorizer reads the JWKS object by its literal bucket name, in the ring\'s Region, from the ring\'s account', () => {
    verifier.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          JWT_JWKS_BUCKET: bucketName,
          JWT_JWKS_OBJECT_KEY: OBJECT_KEY,
          JWT_JWKS_BUCKET_REGION: REGION,
          JWT_ALGORITHMS: 'ES256',
        }),
      },
    });
    // Nothing of the ring's account is imported: no Fn::ImportValue, no secret.
    expect(JSON.stringify(verifier.toJSON())).not.toMatch(/ImportValue|secretsmanager:|SECRET_ARN/);
  });

  test('the authorizer role\'s policy names exactly the JWKS object ARN', () => {
    const roles = Object.entries(roleName);
    expect(roles).toHaveLength(1);
    const [roleId] = roles[0];
    const statements = Object.values(verifier.findResources('AWS::IAM::ManagedPolicy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => [s.Action].flat().includes('s3:GetObject'));
    // Only while the bucket is the ring account's: a re-created bucket of that name elsewhere is denied.
    expect(statements).toEqual([expect.objectContaining({
      Effect: 'Allow', Action: 's3:GetObject', Resource: objectArn, Condition: { StringEquals: { 'aws:ResourceAccount': RING_ACCOUNT } },
    })]);
  });

  test('the ring\'s bucket policy grants account B exactly s3:GetObject on the JWKS object, for the authorizer role only', () => {
    const [roleId, role] = Object.entries(roleName)[0];
    const name: string = role.Properties.RoleName;
    expect(typeof name).toBe('string');
    expect(roleId).toMatch(/^AuthzFunctionServiceRole/);
    expect(allowsOutside(bucketStatements(ring))).toEqual([{
      Effect: 'Allow',
      Principal: { AWS: arn(`:iam::${VERIFIER_ACCOUNT}:root`) },
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^KeysJwksBucket/), 'Arn'] }, `/${OBJECT_KEY}`]] },
      Condition: { ArnEquals: { 'aws:PrincipalArn': arn(`:iam::${VERIFIER_ACCOUNT}:role/${name}`) } },
    }]);
  });

  test('the authorizer\'s logs are encrypted with a key of its own account, not the ring\'s', () => {
    verifier.resourceCountIs('AWS::KMS::Key', 2);
    expect(JSON.stringify(verifier.toJSON())).not.toContain(`arn:aws:kms:${REGION}:${RING_ACCOUNT}`);
  });

  test('both stacks are cfn-lint clean, and the library\'s constructs in them have zero unacknowledged cdk-nag findings (v3 and v2)', () => {
    // The bare RestApi is the test's, not the library's: the HardenedRestApi case below covers a whole stack.
    for (const scope of [ringStack, authz]) {
      expectNoUnacknowledgedFindings(scope);
      expectNoUnacknowledgedV2Findings(scope);
    }
    for (const stack of [ringStack, verifierStack]) expectCfnLintClean(stack);
  });
});

describe('a HardenedRestApi in account B given an EdDSA ring of account A', () => {
  const app = new App();
  const ringStack = new Stack(app, 'Issuer', { env: { account: RING_ACCOUNT, region: REGION } });
  const apiStack = new Stack(app, 'Orders', { env: { account: VERIFIER_ACCOUNT, region: REGION } });
  const keys = new RotatingJwtSecret(ringStack, 'Keys', { algorithm: JwtSigningAlgorithm.EDDSA });
  new HardenedRestApi(apiStack, 'Api', { signingKeys: keys, ...PROPS }).addMethod('/orders', 'GET', new apigateway.MockIntegration());

  test('both whole stacks have zero unacknowledged cdk-nag findings (v3 and v2)', () => {
    for (const stack of [ringStack, apiStack]) {
      expectNoUnacknowledgedFindings(stack);
      expectNoUnacknowledgedV2Findings(stack);
    }
  });

  test('the ring\'s bucket names the API\'s authorizer role of account B, and nothing else of that account', () => {
    const outside = allowsOutside(bucketStatements(Template.fromStack(ringStack)));
    expect(outside).toHaveLength(1);
    expect(JSON.stringify(outside[0].Principal)).toContain(`:iam::${VERIFIER_ACCOUNT}:root`);
    expect(outside[0].Action).toBe('s3:GetObject');
  });
});

describe('an HS256 ring used from another account', () => {
  test('a JwtAuthorizer gets a ValidationError naming the supported path, not aws-cdk-lib\'s cross-environment error', () => {
    expectValidationError(() => twoAccounts(JwtSigningAlgorithm.HS256), {
      path: 'Verifier/Authz',
      prop: 'signingKeys',
      message: new RegExp(`^is an HS256 key ring of account ${RING_ACCOUNT} \\(Issuer/Keys\\).*asymmetric ring.*ES256 or EdDSA.*JWKS.*grantReadPublicKeys`),
    });
  });

  test('grantRead to a role of another account gets a ValidationError naming grantReadPublicKeys', () => {
    const app = new App();
    const keys = new RotatingJwtSecret(new Stack(app, 'Issuer', { env: { account: RING_ACCOUNT, region: REGION } }), 'Keys');
    const role = new iam.Role(new Stack(app, 'Other', { env: { account: VERIFIER_ACCOUNT, region: REGION } }), 'Reader', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    expectValidationError(() => keys.grantRead(role), {
      path: 'Issuer/Keys',
      prop: 'grantRead',
      message: new RegExp(`^cannot give the key ring to account ${VERIFIER_ACCOUNT}.*ES256 or EdDSA.*grantReadPublicKeys`),
    });
  });
});

describe('grantReadPublicKeys beyond the ring\'s account', () => {
  const ringOnly = (): { stack: Stack; keys: RotatingJwtSecret } => {
    const stack = new Stack(new App(), 'Issuer', { env: { account: RING_ACCOUNT, region: REGION } });
    return { stack, keys: new RotatingJwtSecret(stack, 'Keys', { algorithm: JwtSigningAlgorithm.EDDSA }) };
  };
  const objectArn = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^KeysJwksBucket'), 'Arn'] }, `/${OBJECT_KEY}`]] };
  /** The bucket allows s3:GetObject on the object to `*` under exactly `condition`. */
  const expectEveryoneReads = (stack: Stack, condition: Record<string, unknown>): void => {
    Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: objectArn, Condition: condition }]),
      },
    });
  };

  test('another account: the bucket policy names the account and allows s3:GetObject on the object only', () => {
    const { stack, keys } = ringOnly();
    const grant = keys.grantReadPublicKeys(new iam.AccountPrincipal(VERIFIER_ACCOUNT));
    expect(grant.resourceStatements).toHaveLength(1);
    Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow', Principal: { AWS: arn(`:iam::${VERIFIER_ACCOUNT}:root`) }, Action: 's3:GetObject', Resource: objectArn,
        }]),
      },
    });
  });

  test('a role of another account\'s stack: its own policy reads the object only from a bucket of the ring\'s account', () => {
    const app = new App();
    const keys = new RotatingJwtSecret(new Stack(app, 'Issuer', { env: { account: RING_ACCOUNT, region: REGION } }), 'Keys', { algorithm: JwtSigningAlgorithm.ES256 });
    const other = new Stack(app, 'Other', { env: { account: VERIFIER_ACCOUNT, region: REGION } });
    const role = new iam.Role(other, 'Reader', { roleName: 'jwks-reader', assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const grant = keys.grantReadPublicKeys(role);
    expect(grant.principalStatements).toHaveLength(1);
    Template.fromStack(other).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [Match.objectLike({ Action: 's3:GetObject', Condition: { StringEquals: { 'aws:ResourceAccount': RING_ACCOUNT } } })],
      },
    });
    Template.fromStack(keys.node.scope as Stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { AWS: arn(`:iam::${VERIFIER_ACCOUNT}:root`) },
          Condition: { ArnEquals: { 'aws:PrincipalArn': arn(`:iam::${VERIFIER_ACCOUNT}:role/jwks-reader`) } },
        })]),
      },
    });
  });

  test('an organization: every principal with that aws:PrincipalOrgID', () => {
    const { stack, keys } = ringOnly();
    keys.grantReadPublicKeys(new iam.OrganizationPrincipal('o-abc123def4'));
    expectEveryoneReads(stack, { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123def4' } });
    expectNoUnacknowledgedFindings(stack);
    expectNoUnacknowledgedV2Findings(stack);
  });

  test('an OU: the organization\'s principals under that aws:PrincipalOrgPaths', () => {
    const { stack, keys } = ringOnly();
    const ou = 'o-abc123def4/r-ab12/ou-ab12-11111111/*';
    keys.grantReadPublicKeys(new iam.OrganizationPrincipal('o-abc123def4').withConditions({
      'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [ou] },
    }));
    expectEveryoneReads(stack, { 'StringEquals': { 'aws:PrincipalOrgID': 'o-abc123def4' }, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [ou] } });
  });

  test('a principal of the ring\'s own account: its IAM policy only, the bucket policy unchanged', () => {
    const { stack, keys } = ringOnly();
    const before = JSON.stringify(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'));
    const { stack: again, keys: keysAgain } = ringOnly();
    const grant = keysAgain.grantReadPublicKeys(new iam.Role(again, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    expect(grant.resourceStatements).toHaveLength(0);
    expect(JSON.stringify(Template.fromStack(again).findResources('AWS::S3::BucketPolicy'))).toBe(before);
    expect(keys).toBeDefined();
  });

  test('anyone, or an OU path without the organization ID, is refused: the keys would be public', () => {
    for (const principal of [
      new iam.AnyPrincipal(),
      new iam.AnyPrincipal().withConditions({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-abc123def4/*'] } }),
    ]) {
      const { keys } = ringOnly();
      expectValidationError(() => keys.grantReadPublicKeys(principal), {
        path: 'Issuer/Keys',
        prop: 'grantReadPublicKeys',
        message: /^would let anyone read the published keys .*OrganizationPrincipal/,
      });
    }
  });
});
