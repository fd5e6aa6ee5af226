/**
 * A function of the demo app granted through LeastPrivilegeLambdaPolicies' typed permissions
 * (EventBridge with an events:source condition, an SSM parameter, custom metrics), so the
 * security report shows the acknowledgements a typed grant makes and why.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { LeastPrivilegeLambdaPolicies } from '../src';
import { acknowledge } from '../src/private/acknowledge';
import { allowLogGroupEncryption, createEncryptionKey } from '../src/private/encryption-key';

export function addOrdersWorker(scope: Construct): LeastPrivilegeLambdaPolicies {
  const key = createEncryptionKey(scope, 'OrdersWorkerLogKey', 'Encrypts the orders worker log group');
  const logGroupName = '/aws/lambda/demo-orders-worker';
  allowLogGroupEncryption(key, 'AllowOrdersWorkerLogs', logGroupName);
  const logGroup = new logs.LogGroup(scope, 'OrdersWorkerLogs', { logGroupName, retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key });
  const bus = new events.EventBus(scope, 'OrdersBus');
  const endpoint = new ssm.StringParameter(scope, 'OrdersEndpoint', { parameterName: '/orders/prod/endpoint', stringValue: 'https://orders.example.com' });
  const worker = new lambda.Function(scope, 'OrdersWorker', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ ok: true });'),
    logGroup,
    timeout: Duration.seconds(10),
  });
  const cfnWorker = worker.node.defaultChild!;
  const reason = 'Invoked synchronously by the caller, which sees and retries failures; Lambda dead-letter queues apply to asynchronous invocations only.';
  for (const id of ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ']) acknowledge(cfnWorker, id, reason);
  // No reserved concurrency: a new account has 10 concurrent executions in all and Lambda keeps
  // 10 unreserved, so any reservation fails the first deploy there.
  const concurrencyReason = 'A demo worker that must deploy into a new account, whose Lambda concurrency quota of 10 leaves nothing to reserve; a production worker sets reservedConcurrentExecutions once the quota is raised.';
  for (const id of ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency']) acknowledge(cfnWorker, id, concurrencyReason);
  const vpcReason = 'The worker reaches only AWS APIs (EventBridge, SSM, CloudWatch over TLS with SigV4) and no resource inside a VPC.';
  for (const id of ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC']) acknowledge(cfnWorker, id, vpcReason);
  return new LeastPrivilegeLambdaPolicies(scope, 'OrdersWorkerPermissions', {
    function: worker,
    logGroup,
    eventBuses: [{ eventBus: bus, sources: ['com.example.orders'], detailTypes: ['OrderPlaced'] }],
    parameters: [{ parameter: endpoint }],
    metricNamespaces: ['Orders'],
  });
}
