import { Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * aws-cdk-lib's Token/RequestAuthorizer grants `apigateway.amazonaws.com` the invoke permission
 * itself (at construction), scoped by a SourceArn that names this authorizer, but without a
 * SourceAccount. Control Tower's CT.LAMBDA.PR.2 cannot read that SourceArn (an `Fn::Join`), and a
 * SourceAccount is the confused-deputy guard AWS recommends next to it, so the permission gets the
 * account the authorizer (and therefore its API) lives in. API Gateway invokes an authorizer with
 * the API's account as `aws:SourceAccount`, so the condition holds for every legitimate call.
 *
 * The permission is found by its SourceArn rather than by CDK's construct id, which is internal.
 * Finding none means aws-cdk-lib changed how it grants the invoke: fail at synth rather than ship
 * an unscoped permission unnoticed.
 */
export function requireSourceAccount(authorizer: apigateway.TokenAuthorizer | apigateway.RequestAuthorizer, fn: lambda.IFunction): void {
  const permissions = fn.node.children.filter((c): c is lambda.CfnPermission =>
    c instanceof lambda.CfnPermission && c.sourceArn === authorizer.authorizerArn);
  if (permissions.length !== 1) {
    throw new Error(`${authorizer.node.path}: expected aws-cdk-lib to create one invoke permission for this authorizer on ${fn.node.path}, found ${permissions.length}`);
  }
  permissions[0].sourceAccount = Stack.of(authorizer).account;
}
