import { CheckedStatement } from './identity-policy-statements';

/** One least-privilege rule over a single identity-policy statement. */
export interface StatementCheck {
  /** `LeastPrivilege-<Name>`; a finding's id is `<ruleId>[<detail>]` when it has a detail. */
  readonly ruleId: string;
  /** Why the rule exists and what to do instead. */
  readonly description: string;
  /**
   * The details of each finding in `statement` (an action, say), `''` for a finding with no
   * detail; empty when the statement complies. Only `Allow` statements are reported: a `Deny`
   * with a wildcard or a `NotAction` narrows access, which is what a guardrail is for.
   */
  check(statement: CheckedStatement): string[];
}

/** True for statements the rules apply to. */
export function isAllow(statement: CheckedStatement): boolean {
  return statement.effect === 'Allow';
}
