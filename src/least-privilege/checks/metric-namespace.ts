import { CheckedStatement } from './identity-policy-statements';
import { StatementCheck, isAllow } from './statement-check';

/**
 * `cloudwatch:PutMetricData` has no resource type, so WildcardResource lets it use `*`: what
 * narrows it is the `cloudwatch:namespace` condition key. Without one, the principal can write
 * data points into any custom namespace of the account, including metrics other teams' alarms
 * watch (it can hold an alarm in OK or set one off). `metric.grantPutMetricData()` writes exactly
 * that statement.
 *
 * A statement is scoped when it has a `StringEquals`, `StringEqualsIgnoreCase` or `StringLike`
 * condition on `cloudwatch:namespace` (key compared without case, as IAM does) none of whose
 * values is a bare wildcard. Negated operators (`StringNotEquals`) leave every other namespace open
 * and do not count; nor do `...IfExists` variants, which pass when the key is missing. `*` as
 * the action is WildcardAction's finding and is not repeated here.
 */
const SCOPING_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike']);
const PUT_METRIC_DATA = 'cloudwatch:putmetricdata';

export const MetricNamespace: StatementCheck = {
  ruleId: 'LeastPrivilege-MetricNamespace',
  description: 'The statement allows cloudwatch:PutMetricData without a cloudwatch:namespace condition, so the principal can publish data points into any '
    + 'custom namespace of the account, including metrics that other alarms watch. Add a StringEquals condition on cloudwatch:namespace naming the namespaces it publishes to.',
  check(statement: CheckedStatement): string[] {
    if (!isAllow(statement) || !statement.resources.some((r) => r === '*') || hasNamespaceCondition(statement)) return [];
    return statement.actions.filter((a) => a !== '*' && matchesPutMetricData(a));
  },
};

/** Whether an action as written (name or IAM pattern with `*` / `?`) covers PutMetricData. */
function matchesPutMetricData(action: string): boolean {
  const pattern = action.toLowerCase().split('').map((ch) => ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('');
  return new RegExp(`^${pattern}$`).test(PUT_METRIC_DATA);
}

function hasNamespaceCondition(statement: CheckedStatement): boolean {
  return Object.entries(statement.conditions).some(([operator, block]) => SCOPING_OPERATORS.has(operator.toLowerCase())
    && Object.entries(block).some(([key, value]) => key.toLowerCase() === 'cloudwatch:namespace' && namesANamespace(value)));
}

/** An unresolved value (a parameter, say) names namespaces; `*` alone names them all. */
function namesANamespace(value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return values.length > 0 && values.every((v) => typeof v !== 'string' || !/^[*?]*$/.test(v));
}
