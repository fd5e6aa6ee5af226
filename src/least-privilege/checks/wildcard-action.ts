import { CheckedStatement } from './identity-policy-statements';
import { StatementCheck, isAllow } from './statement-check';

/**
 * Allow statements do not grant `*` or `service:*`: every action of a service (or of all
 * services) includes actions added after the policy was written.
 */
export const WildcardAction: StatementCheck = {
  ruleId: 'LeastPrivilege-WildcardAction',
  description: 'The statement allows every action (`*`) or every action of a service (`service:*`). List the actions the principal calls.',
  check(statement: CheckedStatement): string[] {
    if (!isAllow(statement)) return [];
    return statement.actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/i.test(a));
  },
};
