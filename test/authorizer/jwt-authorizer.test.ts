import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { JwtAuthorizer, JwtAuthorizerProps, JwtAuthorizerType } from '../../src';
import { requireSourceAccount } from '../../src/authorizer/authorizer-invoke-permission';
import { RotatingJwtSecret } from '../../src/jwt-keys/rotating-jwt-secret';
import { testGates } from '../helpers/gates';
import { expectNoUnacknowledgedFindings, expectNoUnacknowledgedV2Findings } from '../helpers/nag';
import { testStack } from '../helpers/stack';
import { userFunction } from '../helpers/user-function';
import { expectValidationError } from '../helpers/validation-error';

const RBAC = {
  rolePermissions: { admin: ['user:read:any', 'user:write:any'], user: ['user:read:own'] },
  permissionMethods: {
    'user:read:own': ['GET /users/me'],
    'user:read:any': ['GET /users', 'GET /users/*'],
    'user:write:any': ['PUT /users/*', 'DELETE /users/*'],
  },
};

type Extra = Partial<JwtAuthorizerProps>;

function synth(extra: Extra = {}): { stack: Stack; keys: RotatingJwtSecret; authz: JwtAuthorizer; template: Template } {
  const stack = testStack();
  const keys = new RotatingJwtSecret(stack, 'Keys');
  const authz = new JwtAuthorizer(stack, 'Authz', { signingKeys: keys, issuer: 'https://issuer.example.com', audience: 'orders-api', ...RBAC, ...extra });
  attachToApi(stack, authz);
  return { stack, keys, authz, template: Template.fromStack(stack) };
}

/** The properties of every permission that lets API Gateway invoke a function. */
function authorizerInvokePermissions(template: Template): unknown[] {
  return Object.values(template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'apigateway.amazonaws.com' } }))
    .map((r) => r.Properties);
}

/** An authorizer must sit on a method of a REST API to synthesize. */
function attachToApi(stack: Stack, authz: JwtAuthorizer): void {
  const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false });
  api.root.addResource('users').addMethod('GET', new apigateway.MockIntegration(), { authorizer: authz.authorizer });
}

describe('JwtAuthorizer with a RotatingJwtSecret', () => {
  const { stack, authz, template } = synth();

  test('is a TOKEN authorizer on the Authorization header that caches 5 minutes and pre-checks the Bearer format', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
      IdentityValidationExpression: '^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
    });
  });

  test('configures the bundled handler with issuer, audience, role map and limits', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({
          JWT_SECRET_ID: { Ref: Match.stringLikeRegexp('KeysSecret') },
          JWT_ISSUER: 'https://issuer.example.com',
          JWT_AUDIENCE: 'orders-api',
          JWT_ROLE_CLAIM: 'role',
          ROLE_PERMISSIONS: JSON.stringify(RBAC.rolePermissions),
          PERMISSION_METHODS: JSON.stringify(RBAC.permissionMethods),
          JWT_MAX_TOKEN_LIFETIME_SECONDS: '3600',
          JWT_CLOCK_SKEW_SECONDS: '60',
          KEY_CACHE_TTL_SECONDS: '300',
          KEY_FETCH_TIMEOUT_MS: '2000',
          JWT_HEADER_NAME: 'Authorization',
        }),
      },
    });
  });

  test('its role may only read the secret and decrypt it through Secrets Manager for that secret', () => {
    const policies = template.findResources('AWS::IAM::ManagedPolicy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('AuthzFunctionServiceRole') }] },
    });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      { Sid: 'ReadSecret0', Effect: 'Allow', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: { Ref: expect.stringMatching(/KeysSecret/) } },
      {
        Sid: 'DecryptSecret0',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/KeysKey/), 'Arn'] },
        Condition: {
          StringEquals: {
            'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com',
            'kms:EncryptionContext:SecretARN': { Ref: expect.stringMatching(/KeysSecret/) },
          },
        },
      },
    ]));
    // Beyond the key ring, the role may only write its own log streams.
    expect(statements.map((s) => s.Sid).sort()).toEqual(['DecryptSecret0', 'ReadSecret0', 'WriteOwnLogGroup']);
  });

  test('only this API\'s authorizer, in this account, may invoke the function (CT.LAMBDA.PR.2)', () => {
    expect(authorizerInvokePermissions(template)).toEqual([{
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [expect.stringMatching(/^AuthzFunction/), 'Arn'] },
      SourceAccount: '123456789012',
      SourceArn: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:us-east-1:123456789012:',
          { Ref: expect.stringMatching(/^Api/) }, '/authorizers/', { Ref: expect.stringMatching(/^AuthzAuthorizer/) }]],
      },
    }]);
  });

  testGates({ stack, nagScopes: [authz] });
});

describe('JwtAuthorizer with an imported secret, REQUEST type and reserved concurrency', () => {
  const stack = testStack();
  const key = kms.Key.fromKeyArn(stack, 'ImportedKey', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  const secret = secretsmanager.Secret.fromSecretAttributes(stack, 'Imported', {
    secretCompleteArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-keys-AbCdEf',
    encryptionKey: key,
  });
  const authz = new JwtAuthorizer(stack, 'Authz', {
    secret,
    issuer: 'issuer',
    audience: 'aud',
    ...RBAC,
    type: JwtAuthorizerType.REQUEST,
    roleClaim: 'app:role',
    resultsCacheTtl: Duration.minutes(1),
    maxTokenLifetime: Duration.minutes(15),
    reservedConcurrentExecutions: 50,
  });
  attachToApi(stack, authz);
  const template = Template.fromStack(stack);

  test('reads the imported secret by its full ARN and decrypts with the given key', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'ReadSecret0', Resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-keys-AbCdEf' }),
          Match.objectLike({ Sid: 'DecryptSecret0', Resource: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' }),
        ]),
      },
    });
  });

  test('is a REQUEST authorizer with the shorter cache and the custom role claim', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST', AuthorizerResultTtlInSeconds: 60 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 50,
      Environment: { Variables: Match.objectLike({ JWT_ROLE_CLAIM: 'app:role', JWT_MAX_TOKEN_LIFETIME_SECONDS: '900' }) },
    });
  });

  test('the REQUEST authorizer\'s invoke permission is scoped to this account and authorizer too', () => {
    expect(authorizerInvokePermissions(template)).toEqual([expect.objectContaining({
      SourceAccount: '123456789012',
      SourceArn: { 'Fn::Join': ['', expect.arrayContaining(['/authorizers/', { Ref: expect.stringMatching(/^AuthzAuthorizer/) }])] },
    })]);
  });

  test('in an environment-agnostic stack the invoke permission names the deploying account', () => {
    const agnostic = new Stack(new App(), 'Agnostic');
    const agnosticAuthz = new JwtAuthorizer(agnostic, 'Authz', { secret, issuer: 'issuer', audience: 'aud', ...RBAC });
    attachToApi(agnostic, agnosticAuthz);
    expect(authorizerInvokePermissions(Template.fromStack(agnostic))).toEqual([expect.objectContaining({
      SourceAccount: { Ref: 'AWS::AccountId' },
    })]);
  });

  test('tells the function which header to read and how long a key fetch may take', () => {
    const custom = synth({ type: JwtAuthorizerType.REQUEST, headerName: 'X-Api-Token', keyFetchTimeout: Duration.millis(750) });
    custom.template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST', IdentitySource: 'method.request.header.X-Api-Token' });
    custom.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ JWT_HEADER_NAME: 'X-Api-Token', KEY_FETCH_TIMEOUT_MS: '750' }) },
    });
  });

  test('functionOptions place the function in a VPC with the given security group, and set its log retention and removal', () => {
    const s = testStack();
    const vpc = new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const group = new ec2.SecurityGroup(s, 'Group', { vpc, allowAllOutbound: false });
    const a = new JwtAuthorizer(s, 'Authz', {
      signingKeys: new RotatingJwtSecret(s, 'Keys'),
      issuer: 'i',
      audience: 'a',
      ...RBAC,
      functionOptions: {
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        securityGroups: [group],
        logRetention: logs.RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
      },
    });
    attachToApi(s, a);
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ JWT_ISSUER: 'i' }) },
      VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Group'), 'GroupId'] }], SubnetIds: Match.anyValue() },
    });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ RetentionInDays: 90, LogGroupName: Match.stringLikeRegexp('Authz') }) });
    expect(JSON.stringify(a.function.node.metadata)).not.toContain('LambdaInsideVPC');
  });

  test('with reserved concurrency, no concurrency acknowledgement is made (the nag gate below shows none is needed)', () => {
    expect(JSON.stringify(authz.function.node.metadata)).not.toContain('LambdaConcurrency');
  });

  testGates({ stack, nagScopes: [authz] });
});

describe('JwtAuthorizer in another Region than its RotatingJwtSecret', () => {
  const REPLICA_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  function twoRegions(replicaRegion: string): { keys: RotatingJwtSecret; stack: Stack } {
    const app = new App();
    const home = new Stack(app, 'Home', { env: { account: '123456789012', region: 'us-east-1' }, crossRegionReferences: true });
    // A replica's key is in the replica's Region (RotatingJwtSecret checks it).
    const replicaKey = kms.Key.fromKeyArn(home, 'ReplicaKey', REPLICA_KEY.replace('eu-west-1', replicaRegion));
    const keys = new RotatingJwtSecret(home, 'Keys', { replicaRegions: [{ region: replicaRegion, encryptionKey: replicaKey }] });
    return { keys, stack: new Stack(app, 'Away', { env: { account: '123456789012', region: 'eu-west-1' }, crossRegionReferences: true }) };
  }

  test('reads and decrypts only the replica in its own Region, and encrypts its logs with a key of its own Region', () => {
    const { keys, stack } = twoRegions('eu-west-1');
    const authz = new JwtAuthorizer(stack, 'Authz', { signingKeys: keys, issuer: 'i', audience: 'a', ...RBAC });
    attachToApi(stack, authz);
    const template = Template.fromStack(stack);
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    const secretId = JSON.stringify(stack.resolve(fn.Properties.Environment.Variables.JWT_SECRET_ID));
    expect(secretId).toContain('eu-west-1');
    expect(secretId).not.toContain('us-east-1');
    const policies = JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toContain(REPLICA_KEY);
    expect(policies).toContain('secretsmanager.eu-west-1.amazonaws.com');
    expect(policies).not.toContain('us-east-1');
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuthzLogKey'), 'Arn'] } });
    expectNoUnacknowledgedFindings(authz);
    expectNoUnacknowledgedV2Findings(authz);
  });

  test('without a replica in its Region, is a ValidationError naming signingKeys', () => {
    const { keys, stack } = twoRegions('eu-central-1');
    expect(() => new JwtAuthorizer(stack, 'Authz', { signingKeys: keys, issuer: 'i', audience: 'a', ...RBAC }))
      .toThrow(expect.objectContaining({ name: 'ValidationError', message: expect.stringMatching(/Away\/Authz: signingKeys must have a replica in eu-west-1 \(replicaRegions\).*Home\/Keys is in us-east-1/) }));
  });
});

describe('JwtAuthorizer rejects bad props at construct time', () => {
  const cases: Array<[string, Extra, string, RegExp]> = [
    ['a cache TTL longer than the token lifetime', { maxTokenLifetime: Duration.minutes(10), resultsCacheTtl: Duration.minutes(15) },
      'resultsCacheTtl', /must not exceed the token lifetime \(10 minutes\).*got 15 minutes/],
    ['a cache TTL over an hour', { resultsCacheTtl: Duration.hours(2) }, 'resultsCacheTtl', /must be between 0 seconds and 1 hour, got 2 hours/],
    ['a clock skew over 5 minutes', { clockSkew: Duration.minutes(10) }, 'clockSkew', /must be between 0 seconds and 5 minutes, got 10 minutes/],
    ['a token lifetime beyond what the key ring covers', { maxTokenLifetime: Duration.hours(2) },
      'maxTokenLifetime', /must not exceed signingKeys.maxTokenLifetime \(1 hour\)/],
    ['a role granting an undefined permission', { rolePermissions: { user: ['user:read:own', 'user:delete:all'] } },
      'rolePermissions', /'user' grants 'user:delete:all', which permissionMethods does not define/],
    ['a method without a path', { permissionMethods: { ...RBAC.permissionMethods, 'user:read:own': ['GET users/me'] } },
      'permissionMethods', /'user:read:own' has 'GET users\/me'/],
    ['a path parameter in braces', { permissionMethods: { ...RBAC.permissionMethods, 'user:read:own': ['GET /users/{id}'] } },
      'permissionMethods', /'user:read:own' has 'GET \/users\/\{id\}'.*with \* for path parameters/],
    ['no roles', { rolePermissions: {} }, 'rolePermissions', /must define at least one role/],
    ['a permission named like an Object built-in', { rolePermissions: { user: ['constructor'] } },
      'rolePermissions', /'user' grants 'constructor', which permissionMethods does not define/],
    ['a role resolving to more than 200 methods',
      { rolePermissions: { user: ['many'] }, permissionMethods: { many: Array.from({ length: 201 }, (_, i) => `GET /r${i}`) } },
      'rolePermissions', /'user' resolves to 201 methods; at most 200 fit one authorizer policy/],
    ['a registered claim as role claim', { roleClaim: 'sub' }, 'roleClaim', /must match .* and not be a registered claim/],
    ['an empty issuer', { issuer: '' }, 'issuer', /must be 1 to 256 characters, got 0/],
    ['an invalid validation regex', { identityValidationRegex: '^Bearer (' }, 'identityValidationRegex', /is not a valid regular expression/],
    ['a key fetch timeout over 5 seconds', { keyFetchTimeout: Duration.seconds(6) }, 'keyFetchTimeout', /must be between 100 millis and 5 seconds, got 6 seconds/],
    ['a header name that is not an HTTP field name', { headerName: 'X Token' }, 'headerName', /must be an HTTP header name matching .*, got 'X Token'/],
    ['security groups without a VPC', { functionOptions: { securityGroups: [] } }, 'functionOptions.vpcSubnets', /and securityGroups need vpc to be set/],
    ['infinite log retention', { functionOptions: { logRetention: logs.RetentionDays.INFINITE } },
      'functionOptions.logRetention', /must be one of logs.RetentionDays other than INFINITE/],
    ['a partial-segment wildcard', { permissionMethods: { ...RBAC.permissionMethods, 'user:read:own': ['GET /users/ab*'] } },
      'permissionMethods', /'user:read:own' has 'GET \/users\/ab\*'/],
  ];

  test.each(cases)('rejects %s with a ValidationError naming the prop', (_name, extra, prop, message) => {
    const stack = testStack();
    const keys = new RotatingJwtSecret(stack, 'Keys');
    expectValidationError(() => new JwtAuthorizer(stack, 'Authz', { signingKeys: keys, issuer: 'i', audience: 'a', ...RBAC, ...extra }),
      { path: 'TestStack/Authz', prop, message });
  });

  test('rejects both signingKeys and secret', () => {
    const stack = testStack();
    const keys = new RotatingJwtSecret(stack, 'Keys');
    expectValidationError(() => new JwtAuthorizer(stack, 'Authz', { signingKeys: keys, secret: keys.secret, issuer: 'i', audience: 'a', ...RBAC }),
      { path: 'TestStack/Authz', prop: 'signingKeys', message: /^or secret or identityProvider must be given, exactly one of them/ });
  });
});

describe('the source-account scoping of the authorizer\'s invoke permission', () => {
  test('fails at synth when aws-cdk-lib did not grant the invoke where it is expected', () => {
    const stack = testStack();
    const granted = userFunction(stack, 'Granted');
    const other = userFunction(stack, 'Other');
    const authorizer = new apigateway.TokenAuthorizer(stack, 'Authorizer', { handler: granted });
    expect(() => requireSourceAccount(authorizer, other))
      .toThrow('TestStack/Authorizer: expected aws-cdk-lib to create one invoke permission for this authorizer on TestStack/Other, found 0');
  });
});

