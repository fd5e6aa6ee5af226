import { CheckedStatement } from './identity-policy-statements';
import { StatementCheck, isAllow } from './statement-check';

/** Allow statements do not use `NotAction`: it grants every action but the listed ones, today's and future ones. */
export const NotAction: StatementCheck = {
  ruleId: 'LeastPrivilege-NotAction',
  description: 'The statement allows with NotAction, which grants every action except those listed, including actions added later. List the allowed actions instead.',
  check(statement: CheckedStatement): string[] {
    return isAllow(statement) && statement.hasNotAction ? [''] : [];
  },
};
