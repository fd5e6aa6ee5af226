/**
 * An orders API built from cdk-security-blocks: your two order functions behind HardenedRestApi
 * (JWT authorizer, WAF, usage plan), an issuer function that signs tokens with the rotating key
 * ring, least-privilege roles for all three, and the account's audit trail.
 *
 *   npm install && npx cdk synth
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  ApiGatewayCloudWatchRole, HardenedRestApi, LeastPrivilegeLambdaPolicies, RotatingJwtSecret, SecurityAuditTrail,
  SecurityNotifications, TableAccessLevel,
} from 'cdk-security-blocks';
import { Construct } from 'constructs';

const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'orders-api';

export class OrdersApiStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // Every alarm and security event of the stack goes to this one topic; the constructs find it.
    new SecurityNotifications(this, 'SecurityNotifications', { emailAddresses: ['security-oncall@example.com'] });

    const orders = new dynamodb.TableV2(this, 'Orders', {
      partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });
    const fn = (id: string, file: string, environment: Record<string, string>) => new NodejsFunction(this, id, {
      entry: `${__dirname}/lambda/${file}.ts`,
      runtime: lambda.Runtime.NODEJS_24_X,
      environment,
    });
    const listOrders = fn('ListOrders', 'list-orders', { TABLE_NAME: orders.tableName });
    const createOrder = fn('CreateOrder', 'create-order', { TABLE_NAME: orders.tableName });

    // The issuer signs tokens with the current key of the ring; the API's authorizer verifies them.
    const signingKeys = new RotatingJwtSecret(this, 'SigningKeys');
    const issuer = fn('IssueToken', 'issue-token', { JWT_SECRET_ARN: signingKeys.secret.secretArn, ISSUER, AUDIENCE });

    // Each function's role gets exactly what it uses, on exact ARNs, and nothing else.
    new LeastPrivilegeLambdaPolicies(this, 'ListOrdersPermissions', {
      function: listOrders,
      tables: [{ table: orders, access: TableAccessLevel.READ }],
    });
    new LeastPrivilegeLambdaPolicies(this, 'CreateOrderPermissions', {
      function: createOrder,
      tables: [{ table: orders, access: TableAccessLevel.WRITE }],
    });
    new LeastPrivilegeLambdaPolicies(this, 'IssuerPermissions', {
      function: issuer,
      secrets: [signingKeys.secret],
    });

    const api = new HardenedRestApi(this, 'OrdersApi', {
      signingKeys,
      // The account-level role API Gateway needs for stage logs: one per account and Region.
      cloudWatchAccount: new ApiGatewayCloudWatchRole(this, 'ApiGatewayAccount'),
      issuer: ISSUER,
      audience: AUDIENCE,
      rolePermissions: { customer: ['orders:read', 'orders:write'], support: ['orders:read'] },
      permissionMethods: { 'orders:read': ['GET /orders'], 'orders:write': ['POST /orders'] },
    });
    api.addMethod('/orders', 'GET', new apigateway.LambdaIntegration(listOrders));
    api.addMethod('/orders', 'POST', new apigateway.LambdaIntegration(createOrder), {
      requestSchema: {
        type: apigateway.JsonSchemaType.OBJECT,
        required: ['item', 'quantity'],
        additionalProperties: false,
        properties: {
          item: { type: apigateway.JsonSchemaType.STRING, maxLength: 64 },
          quantity: { type: apigateway.JsonSchemaType.INTEGER, minimum: 1, maximum: 100 },
        },
      },
    });

    new SecurityAuditTrail(this, 'AuditTrail');
  }
}

const app = new App();
new OrdersApiStack(app, 'OrdersApi', { env: { account: '123456789012', region: 'us-east-1' } });
app.synth();
