/**
 * Each construct of the library with default props (only what it requires), built into any
 * scope, so the whole-template gates (Control Tower, first-deploy checks) run on the same
 * configurations and a construct added to the library needs one entry here.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { userFunction } from './user-function';
import { buildDemoApp } from '../../demo/demo-app';
import { AccountSecurityEvents } from '../../src/audit-trail/account-security-events';
import { SecurityAuditAlarms } from '../../src/audit-trail/security-audit-alarms';
import { SecurityAuditArchive } from '../../src/audit-trail/security-audit-archive';
import { SecurityAuditTrail } from '../../src/audit-trail/security-audit-trail';
import { JwtAuthorizer } from '../../src/authorizer/jwt-authorizer';
import { JwtSecretReplicaKey } from '../../src/jwt-keys/jwt-secret-replica-key';
import { JwtSigningAlgorithm, RotatingJwtSecret } from '../../src/jwt-keys/rotating-jwt-secret';
import { LeastPrivilegeLambdaPolicies } from '../../src/least-privilege/least-privilege-lambda-policies';
import { HardenedRestApi } from '../../src/rest-api/hardened-rest-api';

export const ENV = { account: '123456789012', region: 'us-east-1' };

export const RBAC = {
  issuer: 'https://issuer.example.com',
  audience: 'orders-api',
  rolePermissions: { user: ['orders:read'] },
  permissionMethods: { 'orders:read': ['GET /orders'] },
};

export interface ConstructFixture {
  /** The construct's class name, used in test names and in the README's allow-list table. */
  readonly construct: string;
  /** Builds the construct (and the least the construct needs to synthesize) under `scope`. */
  build(scope: Construct): void;
}

export const CONSTRUCT_FIXTURES: readonly ConstructFixture[] = [
  { construct: 'RotatingJwtSecret', build: (scope) => new RotatingJwtSecret(scope, 'Secret') },
  // The asymmetric configuration adds the JWKS buckets: gated as a configuration of its own.
  { construct: 'RotatingJwtSecretES256', build: (scope) => new RotatingJwtSecret(scope, 'Secret', { algorithm: JwtSigningAlgorithm.ES256 }) },
  // Deployed in a replica Region's stack; alone here, since its template is the same without the secret.
  { construct: 'JwtSecretReplicaKey', build: (scope) => new JwtSecretReplicaKey(scope, 'ReplicaKey') },
  {
    construct: 'JwtAuthorizer',
    build: (scope) => {
      const authz = new JwtAuthorizer(scope, 'Authorizer', { signingKeys: new RotatingJwtSecret(scope, 'Keys'), ...RBAC });
      // An authorizer must be attached to an API to synthesize; a bare RestApi with no stage logging.
      const api = new apigateway.RestApi(scope, 'Api', { cloudWatchRole: false });
      api.root.addResource('orders').addMethod('GET', new apigateway.MockIntegration(), { authorizer: authz.authorizer });
    },
  },
  {
    construct: 'HardenedRestApi',
    build: (scope) => {
      const api = new HardenedRestApi(scope, 'Api', { signingKeys: new RotatingJwtSecret(scope, 'Keys'), ...RBAC });
      api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
    },
  },
  {
    construct: 'LeastPrivilegeLambdaPolicies',
    build: (scope) => {
      new LeastPrivilegeLambdaPolicies(scope, 'Policies', { function: userFunction(scope, 'Function') });
    },
  },
  { construct: 'SecurityAuditTrail', build: (scope) => new SecurityAuditTrail(scope, 'AuditTrail') },
  // Only the required prop: the trail it admits is named, the rest is the default.
  { construct: 'AccountSecurityEvents', build: (scope) => new AccountSecurityEvents(scope, 'SecurityEvents') },
  { construct: 'SecurityAuditArchive', build: (scope) => new SecurityAuditArchive(scope, 'AuditArchive', { trailName: 'org-trail' }) },
  {
    construct: 'SecurityAuditAlarms',
    build: (scope) => new SecurityAuditAlarms(scope, 'AuditAlarms', {
      logGroup: logs.LogGroup.fromLogGroupName(scope, 'ControlTowerTrail', 'aws-controltower/CloudTrailLogs'),
    }),
  },
];

/** A fixture in its own stack, directly under the stack. */
export function fixtureStack(fixture: ConstructFixture): Stack {
  const stack = new Stack(new App(), `${fixture.construct}Stack`, { env: ENV });
  fixture.build(stack);
  return stack;
}

/** Every template the gates run on: one stack per construct fixture, plus the demo app. */
export function gateStacks(): Array<{ readonly name: string; readonly stack: Stack }> {
  return [
    ...CONSTRUCT_FIXTURES.map((f) => ({ name: f.construct, stack: fixtureStack(f) })),
    { name: 'demo', stack: buildDemoApp().stack },
  ];
}
