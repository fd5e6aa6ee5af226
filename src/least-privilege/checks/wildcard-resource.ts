import { CheckedStatement } from './identity-policy-statements';
import { StatementCheck, isAllow } from './statement-check';
import { requiresWildcardResource } from './wildcard-resource-actions';

/**
 * Allow statements grant `Resource: '*'` only for actions that have no resource type (the
 * allow-list in `wildcard-resource-actions.ts`); any other action can name its resources.
 * `*` actions are WildcardAction's finding and are not repeated here.
 */
export const WildcardResource: StatementCheck = {
  ruleId: 'LeastPrivilege-WildcardResource',
  description: 'The statement allows an action that supports resource-level permissions on Resource "*". Name the resources (exact ARNs) instead; only actions with no resource type may use "*".',
  check(statement: CheckedStatement): string[] {
    if (!isAllow(statement) || !statement.resources.some((r) => r === '*')) return [];
    return statement.actions.filter((a) => a !== '*' && !requiresWildcardResource(a));
  },
};
