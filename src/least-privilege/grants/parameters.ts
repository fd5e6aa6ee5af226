import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ValidationError } from '../../shared/validation';
import { ParameterPathPermission, ParameterPermission } from '../least-privilege-permissions';
import { StatementSink, viaService, wildcardResourceFinding } from './statement-sink';

const READ_ACTIONS = ['ssm:GetParameter', 'ssm:GetParameters'];

export function grantParameterRead(sink: StatementSink, permission: ParameterPermission, prop: string, i: number): void {
  const parameterArn = permission.parameter.parameterArn;
  sink.place(new iam.PolicyStatement({ sid: `ReadParameter${i}`, actions: READ_ACTIONS, resources: [parameterArn] }), `${prop}.parameter`);
  if (permission.encryptionKey) {
    sink.place(decryptStatement(sink, `DecryptParameter${i}`, permission.encryptionKey.keyArn, 'StringEquals', parameterArn), `${prop}.encryptionKey`);
  }
}

/**
 * GetParametersByPath on the path itself (SSM authorizes it against the requested path, not
 * the parameters returned) and GetParameter(s) on the parameters under it.
 */
export function grantParameterPathRead(sink: StatementSink, permission: ParameterPathPermission, prop: string, i: number): void {
  const path = permission.path;
  if (!Token.isUnresolved(path) && (!path.startsWith('/') || path.length < 2 || path.endsWith('/') || /[*?]/.test(path))) {
    throw new ValidationError(sink.scope, `${prop}.path`, `must be a parameter hierarchy like /orders/prod (leading /, no trailing /, no * or ?), got ${JSON.stringify(path)}`);
  }
  const stack = Stack.of(sink.scope);
  // Parameter ARNs drop the name's leading slash: arn:...:parameter/orders/prod.
  const pathArn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: Token.isUnresolved(path) ? path : path.slice(1), arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const underPath = `${pathArn}/*`;
  sink.place(new iam.PolicyStatement({ sid: `ReadParameterPath${i}`, actions: ['ssm:GetParametersByPath'], resources: [pathArn] }), `${prop}.path`);
  sink.place(new iam.PolicyStatement({ sid: `ReadParametersUnderPath${i}`, actions: READ_ACTIONS, resources: [underPath] }), `${prop}.path`,
    [wildcardResourceFinding(sink.scope, underPath,
      `path was set: the function may read the parameters under ${path}, as GetParametersByPath on that path already returns them; ` +
      'the wildcard stands for the rest of the parameter name only. Use parameters to grant exact parameters.')]);
  if (permission.encryptionKey) {
    sink.place(decryptStatement(sink, `DecryptParameterPath${i}`, permission.encryptionKey.keyArn, 'StringLike', underPath), `${prop}.encryptionKey`);
  }
}

/** kms:Decrypt through SSM, for the named parameter(s) only (SSM's encryption context is PARAMETER_ARN). */
function decryptStatement(sink: StatementSink, sid: string, keyArn: string, operator: 'StringEquals' | 'StringLike', parameterArn: string): iam.PolicyStatement {
  const conditions: Record<string, Record<string, string>> = { StringEquals: viaService(sink.scope, 'ssm') };
  conditions[operator] = { ...conditions[operator], 'kms:EncryptionContext:PARAMETER_ARN': parameterArn };
  return new iam.PolicyStatement({ sid, actions: ['kms:Decrypt'], resources: [keyArn], conditions });
}
