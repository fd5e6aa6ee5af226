import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from '../shared/acknowledge';
import { ValidationError } from '../shared/validation';

/**
 * Properties for an ApiGatewayCloudWatchRole.
 */
export interface ApiGatewayCloudWatchRoleProps {
  /**
   * What happens to the role and the account setting when they leave the stack. Other APIs of
   * the account log through this role too, so the default keeps it.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const MARKER = Symbol.for('cdk-security-blocks.ApiGatewayCloudWatchRole');

/**
 * The account's API Gateway CloudWatch role (`AWS::ApiGateway::Account`): the role API Gateway
 * uses to write execution and access logs for EVERY REST API of the account in this Region.
 * Without it, a stage with logging fails to deploy.
 *
 * It is one setting per account and Region, so create this construct once, in the stack that
 * owns account-wide settings (an account baseline), and pass it to each HardenedRestApi as
 * `cloudWatchAccount`. Both the role and the setting are retained by default: deleting the stack
 * must not switch off logging for the other APIs of the account. A second instance in the same
 * stack is refused.
 */
export class ApiGatewayCloudWatchRole extends Construct {
  /** The role API Gateway assumes to write logs. */
  public readonly role: iam.Role;

  /** The account setting naming the role. */
  public readonly account: apigateway.CfnAccount;

  constructor(scope: Construct, id: string, props: ApiGatewayCloudWatchRoleProps = {}) {
    super(scope, id);
    const stack = Stack.of(this) as Stack & { [MARKER]?: string };
    if (stack[MARKER]) {
      throw new ValidationError(this, 'scope', `already holds the account's API Gateway CloudWatch role (${stack[MARKER]}): it is one setting per account and Region`);
    }
    stack[MARKER] = this.node.path;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway writes execution and access logs of every REST API in this account and Region with this role',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    this.role.applyRemovalPolicy(removalPolicy);
    acknowledge(this.role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The AWS managed policy API Gateway documents for its account CloudWatch role: it writes log groups it names itself ' +
      '(API-Gateway-Execution-Logs_<api>/<stage>) and the access log groups of every API in the account, so no narrower ' +
      'resource list exists; AWS maintains it as API Gateway changes.');

    this.account = new apigateway.CfnAccount(this, 'Resource', { cloudWatchRoleArn: this.role.roleArn });
    this.account.applyRemovalPolicy(removalPolicy);
  }
}
