import { CheckedStatement } from './identity-policy-statements';
import { StatementCheck, isAllow } from './statement-check';
import { requiresWildcardResource } from './wildcard-resource-actions';

/**
 * Allow statements do not use action patterns such as `s3:GetObject*` or `kms:GenerateDataKey*`
 * (what aws-cdk-lib's grant*() methods write): a pattern matches every action with that
 * prefix, today's and future ones (`s3:GetObject*` includes GetObjectAcl, GetObjectTagging,
 * GetObjectVersion...). `*` and `service:*` are WildcardAction's finding; a pattern inside a
 * family that has no resource type (`ec2:Describe*`) names read-only calls and is allowed.
 */
export const ActionPattern: StatementCheck = {
  ruleId: 'LeastPrivilege-ActionPattern',
  description: 'The statement allows an action pattern (a * or ? inside the action name), which matches every action with that prefix, including actions added later. List the actions the principal calls.',
  check(statement: CheckedStatement): string[] {
    if (!isAllow(statement)) return [];
    return statement.actions.filter((a) => /[*?]/.test(a) && a !== '*' && !/^[a-z0-9-]+:\*$/i.test(a) && !requiresWildcardResource(a));
  },
};
