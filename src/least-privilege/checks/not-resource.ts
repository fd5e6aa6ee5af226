import { CheckedStatement } from './identity-policy-statements';
import { StatementCheck, isAllow } from './statement-check';

/** Allow statements do not use `NotResource`: it grants on every resource but the listed ones. */
export const NotResource: StatementCheck = {
  ruleId: 'LeastPrivilege-NotResource',
  description: 'The statement allows with NotResource, which grants on every resource except those listed, including resources created later. List the allowed resources instead.',
  check(statement: CheckedStatement): string[] {
    return isAllow(statement) && statement.hasNotResource ? [''] : [];
  },
};
