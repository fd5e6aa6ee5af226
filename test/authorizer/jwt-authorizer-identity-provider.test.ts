import * as path from 'path';
import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { JwtAuthorizer, JwtAuthorizerProps } from '../../src';
import { JwtAlgorithm } from '../../src/authorizer/jwt-identity-provider';
import { ASSETS_DIR } from '../../src/bundled-function/bundled-function';
import { JwtSigningAlgorithm, RotatingJwtSecret } from '../../src/jwt-keys/rotating-jwt-secret';
import { expectCfnLintClean } from '../helpers/cfn-lint';
import { testGates } from '../helpers/gates';
import { expectNoUnacknowledgedFindings } from '../helpers/nag';
import { testStack } from '../helpers/stack';
import { expectValidationError } from '../helpers/validation-error';

const POOL = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123';
const PROPS: JwtAuthorizerProps = {
  identityProvider: { jwksUrl: `${POOL}/.well-known/jwks.json` },
  issuer: POOL,
  audience: '1example23456789',
  roleClaim: 'cognito:groups',
  rolePermissions: { admins: ['orders:any'], customers: ['orders:own'] },
  permissionMethods: { 'orders:own': ['GET /orders/me'], 'orders:any': ['* /orders/*'] },
};

function synth(props: Partial<JwtAuthorizerProps> = {}): { stack: Stack; authz: JwtAuthorizer; template: Template } {
  const stack = testStack();
  const authz = new JwtAuthorizer(stack, 'Authz', { ...PROPS, ...props });
  const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false });
  api.root.addResource('orders').addMethod('GET', new apigateway.MockIntegration(), { authorizer: authz.authorizer });
  return { stack, authz, template: Template.fromStack(stack) };
}

describe('JwtAuthorizer with an identity provider (JWKS)', () => {
  const { stack, authz, template } = synth();

  test('configures the handler with the JWKS URL and every asymmetric algorithm, and no secret', () => {
    const fns = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: Match.objectLike({ JWT_AUDIENCE: '1example23456789' }) } } });
    const vars = Object.values(fns)[0].Properties.Environment.Variables;
    expect(vars).toMatchObject({
      JWT_JWKS_URL: `${POOL}/.well-known/jwks.json`,
      JWT_ALGORITHMS: 'RS256,PS256,ES256,EdDSA',
      JWT_ISSUER: POOL,
      JWT_ROLE_CLAIM: 'cognito:groups',
    });
    expect(vars).not.toHaveProperty('JWT_SECRET_ID');
  });

  test('grants no Secrets Manager or KMS decrypt permission at all', () => {
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toMatch(/secretsmanager:/);
    for (const policy of Object.values(template.findResources('AWS::IAM::ManagedPolicy'))) {
      expect(JSON.stringify(policy)).not.toMatch(/kms:Decrypt"/);
    }
  });

  test('has zero unacknowledged findings in the four cdk-nag packs', () => {
    expectNoUnacknowledgedFindings(authz);
  });

  test('passes cfn-lint with no error', () => {
    expectCfnLintClean(stack);
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('JwtAuthorizer identity provider props', () => {
  test('an algorithm allow-list is passed as given', () => {
    const { template } = synth({ identityProvider: { jwksUrl: 'https://idp.example/jwks', algorithms: [JwtAlgorithm.ES256, JwtAlgorithm.EDDSA] } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ JWT_JWKS_URL: 'https://idp.example/jwks', JWT_ALGORITHMS: 'ES256,EdDSA' }) },
    });
  });

  const cases: Array<[string, Partial<JwtAuthorizerProps>, RegExp]> = [
    ['an http JWKS URL', { identityProvider: { jwksUrl: 'http://idp.example/jwks' } }, /Authz: identityProvider.jwksUrl must be an https:\/\/ URL/],
    ['a relative JWKS URL', { identityProvider: { jwksUrl: '/jwks' } }, /identityProvider.jwksUrl must be an absolute URL/],
    ['a JWKS URL with credentials', { identityProvider: { jwksUrl: 'https://u:p@idp.example/jwks' } }, /identityProvider.jwksUrl must not carry credentials/],
    ['an HMAC algorithm', { identityProvider: { jwksUrl: 'https://idp.example/jwks', algorithms: ['HS256' as JwtAlgorithm] } },
      /identityProvider.algorithms may only list RS256, PS256, ES256, EdDSA \(never none or HS\*\)/],
    ['no algorithm', { identityProvider: { jwksUrl: 'https://idp.example/jwks', algorithms: [] } }, /identityProvider.algorithms must list at least one/],
  ];
  test.each(cases)('rejects %s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('rejects an identity provider together with signing keys, and neither', () => {
    const stack = testStack();
    const keys = new RotatingJwtSecret(stack, 'Keys');
    expect(() => new JwtAuthorizer(stack, 'Both', { ...PROPS, signingKeys: keys }))
      .toThrow(/Both: signingKeys or secret or identityProvider must be given, exactly one of them/);
    expect(() => new JwtAuthorizer(stack, 'None', { ...PROPS, identityProvider: undefined }))
      .toThrow(/signingKeys or secret or identityProvider must be given/);
  });
});

describe('JwtAuthorizer with an identity provider found through OIDC discovery', () => {
  const { stack, authz, template } = synth({ identityProvider: { issuerUrl: POOL, algorithms: [JwtAlgorithm.RS256] } });

  test('configures the handler with the issuer URL to discover, no JWKS URL and no secret', () => {
    const fns = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: Match.objectLike({ JWT_AUDIENCE: '1example23456789' }) } } });
    const vars = Object.values(fns)[0].Properties.Environment.Variables;
    expect(vars).toMatchObject({ JWT_OIDC_ISSUER_URL: POOL, JWT_ISSUER: POOL, JWT_ALGORITHMS: 'RS256' });
    expect(vars).not.toHaveProperty('JWT_JWKS_URL');
    expect(vars).not.toHaveProperty('JWT_SECRET_ID');
    expect(JSON.stringify(template.toJSON())).not.toMatch(/secretsmanager:/);
  });

  testGates({ stack, nagScopes: [authz] });
});

describe('JwtAuthorizer OIDC discovery props', () => {
  const cases: Array<[string, Partial<JwtAuthorizerProps>, string, string | RegExp]> = [
    ['both an issuer URL and a JWKS URL', { identityProvider: { issuerUrl: POOL, jwksUrl: `${POOL}/.well-known/jwks.json` } },
      'identityProvider.issuerUrl', 'or identityProvider.jwksUrl must be given, exactly one of them'],
    ['neither', { identityProvider: { algorithms: [JwtAlgorithm.RS256] } }, 'identityProvider.issuerUrl', 'or identityProvider.jwksUrl must be given, exactly one of them'],
    ['an http issuer URL', { issuer: 'http://idp.example', identityProvider: { issuerUrl: 'http://idp.example' } },
      'identityProvider.issuerUrl', "must be an https:// URL, got 'http://idp.example'"],
    ['an issuer URL with a query', { issuer: 'https://idp.example/?tenant=a', identityProvider: { issuerUrl: 'https://idp.example/?tenant=a' } },
      'identityProvider.issuerUrl', /^must not have a query/],
    ['an issuer URL with an empty query', { issuer: 'https://idp.example/?', identityProvider: { issuerUrl: 'https://idp.example/?' } },
      'identityProvider.issuerUrl', /^must not have a query/],
    ['an issuer URL with a fragment', { issuer: 'https://idp.example/#a', identityProvider: { issuerUrl: 'https://idp.example/#a' } },
      'identityProvider.issuerUrl', /^must not have a fragment/],
    ['an issuer URL with credentials', { issuer: 'https://u:p@idp.example', identityProvider: { issuerUrl: 'https://u:p@idp.example' } },
      'identityProvider.issuerUrl', /^must not carry credentials/],
    ['an issuer URL other than the issuer', { identityProvider: { issuerUrl: `${POOL}/` } },
      'identityProvider.issuerUrl', /^must equal issuer \(the iss claim tokens carry, which discovery vouches for\)/],
  ];
  test.each(cases)('rejects %s', (_name, props, prop, message) => {
    expectValidationError(() => synth(props), { path: 'TestStack/Authz', prop, message });
  });

  test('an issuer URL given as a token is passed through unvalidated', () => {
    const stack = testStack();
    const url = new CfnParameter(stack, 'IssuerUrl').valueAsString;
    const authz = new JwtAuthorizer(stack, 'Authz', { ...PROPS, issuer: url, identityProvider: { issuerUrl: url } });
    new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false }).root.addMethod('GET', new apigateway.MockIntegration(), { authorizer: authz.authorizer });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ JWT_OIDC_ISSUER_URL: { Ref: 'IssuerUrl' }, JWT_ISSUER: { Ref: 'IssuerUrl' } }) },
    });
  });
});

describe('the asset of the key source family', () => {
  /** The S3 object key (asset hash) of each authorizer function's code, by the authorizer's id. */
  function codeKeys(): Record<string, string> {
    const stack = testStack();
    const hs256 = new RotatingJwtSecret(stack, 'Hs256Keys');
    const es256 = new RotatingJwtSecret(stack, 'Es256Keys', { algorithm: JwtSigningAlgorithm.ES256 });
    const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false });
    const base = { ...PROPS, identityProvider: undefined };
    const authorizers = {
      Hs256: new JwtAuthorizer(stack, 'Hs256', { ...base, signingKeys: hs256 }),
      Es256: new JwtAuthorizer(stack, 'Es256', { ...base, signingKeys: es256 }),
      Idp: new JwtAuthorizer(stack, 'Idp', PROPS),
    };
    Object.entries(authorizers).forEach(([id, a]) => api.root.addResource(id).addMethod('GET', new apigateway.MockIntegration(), { authorizer: a.authorizer }));
    const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    return Object.fromEntries(Object.keys(authorizers).map((id) => {
      const fn = Object.entries(fns).find(([logicalId]) => logicalId.startsWith(`${id}Function`));
      return [id, fn![1].Properties.Code.S3Key as string];
    }));
  }

  test('an HS256 ring runs assets/authorizer; an asymmetric ring and an identity provider run assets/authorizer-jwks', () => {
    const hashOf = (name: string): string => `${new s3assets.Asset(new Stack(), 'A', { path: path.join(ASSETS_DIR, name) }).assetHash}.zip`;
    const keys = codeKeys();
    expect(hashOf('authorizer')).not.toEqual(hashOf('authorizer-jwks'));
    expect(keys).toEqual({ Hs256: hashOf('authorizer'), Es256: hashOf('authorizer-jwks'), Idp: hashOf('authorizer-jwks') });
  });
});
