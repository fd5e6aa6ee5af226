/**
 * A user's own Lambda function (inline code, nothing of the library in it), for the constructs
 * that work on a function the user brings.
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export function userFunction(scope: Construct, id = 'Fn', props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    ...props,
  });
}
