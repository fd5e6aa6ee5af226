/**
 * The example app: every construct the library has, with default props, in one stack, except
 * that the API's signing keys are an ES256 ring: its authorizer reads only the published JWKS.
 * `npm run demo` synthesizes it; a test checks it has zero unacknowledged findings.
 */
import { App, CfnOutput, Environment, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ApiGatewayCloudWatchRole, HardenedRestApi, JwtSigningAlgorithm, RotatingJwtSecret, SecurityAuditTrail, SecurityNotifications } from '../src';

export interface DemoApp {
  readonly app: App;
  readonly stack: Stack;
}

export interface DemoAppOptions {
  /**
   * Where the stack deploys; `{}` makes it environment-agnostic (the integration test deploys it
   * wherever the maintainer's credentials point).
   * @default - account 123456789012 in us-east-1, as platform teams synthesize for real
   */
  readonly env?: Environment;

  /**
   * The app to build the stack in (the integration test passes its own).
   * @default - a new App writing to `outdir`
   */
  readonly app?: App;
}

export function buildDemoApp(outdir?: string, options: DemoAppOptions = {}): DemoApp {
  const app = options.app ?? new App({ outdir });
  const stack = new Stack(app, 'SecurityBlocksDemo', { env: options.env ?? { account: '123456789012', region: 'us-east-1' } });
  // One topic for every alarm and security event of the stack; the constructs below find it.
  new SecurityNotifications(stack, 'SecurityNotifications', { emailAddresses: ['security-oncall@example.com'] });
  // ES256: issuers read the private keys in the secret; the API's authorizer (and any partner
  // given grantReadPublicKeys) reads only the public keys the rotation publishes as a JWKS.
  const signingKeys = new RotatingJwtSecret(stack, 'JwtSecret', { algorithm: JwtSigningAlgorithm.ES256 });
  // One per account and Region: the API's stage logs through it, so a fresh account deploys.
  const cloudWatchAccount = new ApiGatewayCloudWatchRole(stack, 'ApiGatewayAccount');
  // The API is protected by the JwtAuthorizer it creates from these signing keys.
  const api = new HardenedRestApi(stack, 'OrdersApi', {
    signingKeys,
    issuer: 'https://auth.example.com',
    audience: 'orders-api',
    rolePermissions: { user: ['orders:read'], admin: ['orders:read', 'orders:write'] },
    permissionMethods: { 'orders:read': ['GET /orders'], 'orders:write': ['POST /orders'] },
    cloudWatchAccount,
  });
  const integration = new apigateway.MockIntegration({
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    integrationResponses: [{ statusCode: '200' }],
  });
  api.addMethod('/orders', 'GET', integration, { methodResponses: [{ statusCode: '200' }] });
  api.addMethod('/orders', 'POST', integration, {
    methodResponses: [{ statusCode: '200' }],
    requestSchema: {
      type: apigateway.JsonSchemaType.OBJECT,
      required: ['item', 'quantity'],
      additionalProperties: false,
      properties: {
        item: { type: apigateway.JsonSchemaType.STRING, maxLength: 64 },
        quantity: { type: apigateway.JsonSchemaType.INTEGER, minimum: 1 },
      },
    },
  });
  api.addPublicMethod('/health', 'GET', integration, {
    methodResponses: [{ statusCode: '200' }],
    reason: 'Load balancer and uptime checks; the mock answers 200 with no data',
  });
  new SecurityAuditTrail(stack, 'AuditTrail');
  // The bucket name and API id are set by CloudFormation, so the report can only print these
  // URLs with placeholders; the outputs give their deployed values (the library adds no outputs).
  new CfnOutput(stack, 'OrdersApiUrl', { value: api.restApi.url, description: 'The orders API endpoint (stage prod)' });
  new CfnOutput(stack, 'JwksUrl', { value: signingKeys.jwksUrl!, description: 'The JWKS the signing keys are published to (readable with grantReadPublicKeys)' });
  return { app, stack };
}
