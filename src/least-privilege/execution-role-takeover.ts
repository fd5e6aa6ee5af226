/**
 * How LeastPrivilegeLambdaPolicies takes a Lambda execution role over from the L2: the AWS
 * managed policies go, the inline DefaultPolicy's statements move out (to be checked and placed
 * like any other), and later grants into a DefaultPolicy are caught at synth. Also reads what the
 * L1 function says about its log group and tracing.
 */
import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { XRAY_ACTIONS } from './grants/runtime';
import { flattenForFinding } from '../shared/nag-finding';
import { ValidationError } from '../shared/validation';

/** What the takeover removed from the role. */
export interface RoleTakeover {
  /** The DefaultPolicy's statements, to place in the managed policies (tracing ones left out when tracing is granted anyway). */
  readonly inherited: iam.PolicyStatement[];
  /** The DefaultPolicy removed from the tree, which later grant*() calls still write into. */
  readonly defaultPolicy?: iam.Policy;
  /** How many statements it held when it was removed. */
  readonly statementCount: number;
}

/** Removes the role's AWS managed policies and its DefaultPolicy, returning the latter's statements. */
export function takeOverExecutionRole(role: iam.IRole, tracing: boolean): RoleTakeover {
  const cfnRole = role.node.defaultChild instanceof iam.CfnRole ? role.node.defaultChild : undefined;
  if (cfnRole) removeAwsManagedPolicies(cfnRole);

  const defaultPolicy = role.node.tryFindChild('DefaultPolicy');
  if (!(defaultPolicy instanceof iam.Policy)) return { inherited: [], statementCount: 0 };
  const document = defaultPolicy.document.toJSON() as { Statement?: unknown[] } | undefined;
  const inherited = (document?.Statement ?? [])
    .map((s) => iam.PolicyStatement.fromJson(s))
    .filter((s) => !(tracing && isLambdaTracingStatement(s)));
  role.node.tryRemoveChild('DefaultPolicy');
  return { inherited, defaultPolicy, statementCount: defaultPolicy.document.statementCount };
}

/**
 * Throws when statements reached the role's inline DefaultPolicy after the takeover (a grant*()
 * or addToRolePolicy() call): they would be an inline policy or not be deployed at all.
 */
export function validateNoLaterGrants(scope: IConstruct, role: iam.IRole, takeover: RoleTakeover): void {
  const added = (takeover.defaultPolicy?.document.statementCount ?? 0) - takeover.statementCount;
  const current = role.node.tryFindChild('DefaultPolicy');
  const inline = current instanceof iam.Policy ? current.document.statementCount : 0;
  if (added > 0 || inline > 0) {
    throw new ValidationError(scope, 'addStatements', `must be used to grant role ${role.node.path} more permissions: ` +
      `${added + inline} statement(s) were added to its inline DefaultPolicy after this construct took the role over ` +
      '(by a grant*() or addToRolePolicy() call); they would be an inline policy or not be deployed at all');
  }
}

/** Drops AWS managed policies (`arn:<partition>:iam::aws:policy/...`) from the role, keeping customer managed ones. */
function removeAwsManagedPolicies(cfnRole: iam.CfnRole): void {
  const original = cfnRole.managedPolicyArns;
  cfnRole.managedPolicyArns = Lazy.list({
    produce: () => {
      const arns = (Stack.of(cfnRole).resolve(original) as unknown[] | undefined) ?? [];
      const kept = arns.filter((arn) => !flattenForFinding(cfnRole, arn).includes(':iam::aws:policy/'));
      return kept.length > 0 ? kept as string[] : undefined;
    },
  }, { omitEmpty: true });
}

/** The log group the function's LoggingConfig names, if it names one. */
export function loggingConfigLogGroup(cfnFunction: lambda.CfnFunction | undefined): string | undefined {
  const config = cfnFunction?.loggingConfig as lambda.CfnFunction.LoggingConfigProperty | undefined;
  return config && !Token.isUnresolved(config) ? config.logGroup : undefined;
}

/** Whether the function's tracing mode is Active or PassThrough. */
export function tracingEnabled(cfnFunction: lambda.CfnFunction | undefined): boolean {
  if (!cfnFunction) return false;
  const config = Stack.of(cfnFunction).resolve(cfnFunction.tracingConfig) as { Mode?: string; mode?: string } | undefined;
  const mode = config?.Mode ?? config?.mode;
  return mode === lambda.Tracing.ACTIVE || mode === lambda.Tracing.PASS_THROUGH;
}

/** The statement the Lambda L2 adds to the DefaultPolicy for tracing (replaced by SendXRayTraces). */
function isLambdaTracingStatement(statement: iam.PolicyStatement): boolean {
  return statement.effect === iam.Effect.ALLOW && statement.resources.length === 1 && statement.resources[0] === '*' &&
    statement.actions.length > 0 && statement.actions.every((a) => XRAY_ACTIONS.includes(a)) &&
    Object.keys(statement.conditions ?? {}).length === 0;
}
