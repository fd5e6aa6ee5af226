/**
 * IAM actions that have no resource type, so the only `Resource` they accept is `*`.
 *
 * Source: the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html),
 * the actions whose "Resource types" column is empty in each service's "Actions defined by"
 * table. A statement that grants one of these on `*` is as narrow as IAM allows; any other
 * action on `*` could have named its resources and is reported by the least-privilege checker.
 *
 * Entries are case-insensitive action names; a trailing `*` matches a family whose members all
 * lack a resource type (for example every `ec2:Describe*` action). Add an entry only with the
 * reference open at that action's row.
 */
export const WILDCARD_RESOURCE_ACTIONS: ReadonlyArray<string> = [
  // AWS X-Ray: trace and telemetry submission, sampling (what the Lambda runtime calls).
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:GetSamplingStatisticSummaries',
  // Amazon EC2: every Describe action (what a VPC-attached Lambda function needs to find its ENIs).
  'ec2:Describe*',
  // Amazon CloudWatch Logs
  'logs:DescribeLogGroups',
  'logs:DescribeDestinations',
  'logs:DescribeExportTasks',
  'logs:DescribeQueryDefinitions',
  'logs:DescribeResourcePolicies',
  // AWS STS
  'sts:GetCallerIdentity',
  // AWS KMS
  'kms:CreateKey',
  'kms:GenerateRandom',
  'kms:ListKeys',
  'kms:ListAliases',
  // Amazon CloudWatch (metrics are scoped by the cloudwatch:namespace condition, not by ARN)
  'cloudwatch:PutMetricData',
  'cloudwatch:GetMetricData',
  'cloudwatch:GetMetricStatistics',
  'cloudwatch:ListMetrics',
  // AWS Secrets Manager
  'secretsmanager:GetRandomPassword',
  'secretsmanager:ListSecrets',
  // Listing actions of common services
  's3:ListAllMyBuckets',
  'sqs:ListQueues',
  'sns:ListTopics',
  'dynamodb:ListTables',
  'lambda:ListFunctions',
  'ssm:DescribeParameters',
  'ecr:GetAuthorizationToken',
  'tag:GetResources',
];

const EXACT = new Set(WILDCARD_RESOURCE_ACTIONS.filter((a) => !a.endsWith('*')).map((a) => a.toLowerCase()));
const PREFIXES = WILDCARD_RESOURCE_ACTIONS.filter((a) => a.endsWith('*')).map((a) => a.slice(0, -1).toLowerCase());

/**
 * True when `action` has no resource type, so `Resource: '*'` is the narrowest grant for it.
 * An action pattern (`ec2:Describe*`) counts only when it lies inside a listed family.
 */
export function requiresWildcardResource(action: string): boolean {
  const a = action.toLowerCase();
  if (EXACT.has(a)) return true;
  const stem = a.endsWith('*') ? a.slice(0, -1) : a;
  if (stem.includes('*') || stem.includes('?')) return false;
  return PREFIXES.some((p) => stem.startsWith(p));
}
