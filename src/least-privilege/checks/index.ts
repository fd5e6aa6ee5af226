import { ActionPattern } from './action-pattern';
import { CheckedStatement } from './identity-policy-statements';
import { MetricNamespace } from './metric-namespace';
import { NotAction } from './not-action';
import { NotResource } from './not-resource';
import { StatementCheck } from './statement-check';
import { typedPermissionFor } from './typed-permission';
import { WildcardAction } from './wildcard-action';
import { WildcardResource } from './wildcard-resource';
import type { LeastPrivilegeFinding } from '../least-privilege-finding';

export { fromStatementJson, identityPolicyStatements, statementsOf } from './identity-policy-statements';
export type { CheckedStatement } from './identity-policy-statements';
export type { StatementCheck } from './statement-check';

/** Every least-privilege rule, in report order. */
export const STATEMENT_CHECKS: ReadonlyArray<StatementCheck> = [
  WildcardAction, ActionPattern, NotAction, NotResource, WildcardResource, MetricNamespace,
];

/** A finding is the public struct (a type-only import: no cycle at run time). */
export type Finding = LeastPrivilegeFinding;

/** Runs every rule over the statements (no acknowledgement filtering). */
export function checkStatements(statements: ReadonlyArray<CheckedStatement>): Finding[] {
  const findings: Finding[] = [];
  for (const statement of statements) {
    let typed: ReturnType<typeof typedPermissionFor> | null = null;
    for (const rule of STATEMENT_CHECKS) {
      for (const detail of rule.check(statement)) {
        if (typed === null) typed = typedPermissionFor(statement);
        findings.push({
          ruleId: rule.ruleId,
          findingId: detail ? `${rule.ruleId}[${detail}]` : rule.ruleId,
          constructPath: statement.path,
          statement: statement.label,
          message: `${statement.path} ${statement.label}: ${detail ? `${detail}: ` : ''}${rule.description}${typed?.hint ?? ''}`,
          typedPermission: typed?.prop,
        });
      }
    }
  }
  return findings;
}
