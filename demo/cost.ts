/**
 * The monthly fixed cost of a synthesized stack: resource counts times list prices. Only what a
 * resource costs by existing is counted (keys, secrets, alarms, web ACL and rules, dashboards,
 * custom metrics); requests, log ingestion, storage and data events depend on traffic and are
 * left out. `README.md` holds the table `costTable` prints for the demo; a test keeps them equal.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';

/** us-east-1 list prices in USD per month, and where each comes from. */
export const PRICES = {
  date: '2025-11 (recorded from the AWS pricing pages, us-east-1; not re-checked since)',
  kmsKey: { usd: 1.0, source: 'AWS KMS pricing: $1/month per customer managed key; each automatic rotation adds $1/month for the first two rotations (up to $3/month per key)' },
  secret: { usd: 0.4, source: 'AWS Secrets Manager pricing: $0.40 per secret per month' },
  alarm: { usd: 0.1, source: 'Amazon CloudWatch pricing: $0.10 per standard-resolution metric alarm per month' },
  customMetric: { usd: 0.3, source: 'Amazon CloudWatch pricing: $0.30 per custom metric per month (first 10,000), charged only for hours in which a metric filter publishes' },
  dashboard: { usd: 3.0, source: 'Amazon CloudWatch pricing: $3 per dashboard per month (the first 3 per account are free)' },
  webAcl: { usd: 5.0, source: 'AWS WAF pricing: $5 per web ACL per month' },
  wafRule: { usd: 1.0, source: 'AWS WAF pricing: $1 per rule (or managed rule group) per web ACL per month' },
} as const;

export interface CostLine {
  /** The top-level construct id in the stack. */
  readonly construct: string;
  readonly counts: Record<string, number>;
  /** Fixed monthly cost, without key rotations and with every custom metric publishing. */
  readonly usd: number;
}

const ITEMS: Array<{ label: string; price: number; count: (r: CfnResource, props: Record<string, any>) => number }> = [
  { label: 'KMS keys', price: PRICES.kmsKey.usd, count: (r) => (r.cfnResourceType === 'AWS::KMS::Key' ? 1 : 0) },
  { label: 'secrets', price: PRICES.secret.usd, count: (r) => (r.cfnResourceType === 'AWS::SecretsManager::Secret' ? 1 : 0) },
  { label: 'alarms', price: PRICES.alarm.usd, count: (r) => (r.cfnResourceType === 'AWS::CloudWatch::Alarm' ? 1 : 0) },
  { label: 'custom metrics', price: PRICES.customMetric.usd, count: (r) => (r.cfnResourceType === 'AWS::Logs::MetricFilter' ? 1 : 0) },
  { label: 'dashboards', price: PRICES.dashboard.usd, count: (r) => (r.cfnResourceType === 'AWS::CloudWatch::Dashboard' ? 1 : 0) },
  { label: 'web ACLs', price: PRICES.webAcl.usd, count: (r) => (r.cfnResourceType === 'AWS::WAFv2::WebACL' ? 1 : 0) },
  { label: 'WAF rules', price: PRICES.wafRule.usd, count: (r, p) => (r.cfnResourceType === 'AWS::WAFv2::WebACL' ? (p.Rules ?? []).length : 0) },
];

/** One line per top-level construct of `stack` that has a resource with a fixed cost. */
export function fixedCosts(stack: Stack): CostLine[] {
  const template = Template.fromStack(stack).toJSON();
  const lines = new Map<string, Record<string, number>>();
  for (const c of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(c)) continue;
    const props = template.Resources?.[stack.getLogicalId(c)]?.Properties ?? {};
    const top = topLevel(stack, c);
    for (const item of ITEMS) {
      const n = item.count(c, props);
      if (n === 0) continue;
      const counts = lines.get(top) ?? {};
      counts[item.label] = (counts[item.label] ?? 0) + n;
      lines.set(top, counts);
    }
  }
  return [...lines.entries()].map(([construct, counts]) => ({
    construct,
    counts,
    usd: ITEMS.reduce((sum, item) => sum + (counts[item.label] ?? 0) * item.price, 0),
  }));
}

/** The Markdown table of `fixedCosts`, with a total row. */
export function costTable(stack: Stack): string {
  const lines = fixedCosts(stack);
  const labels = ITEMS.map((i) => i.label);
  const rows = [
    `| Construct (demo id) | ${labels.join(' | ')} | USD / month |`,
    `|---|${labels.map(() => '---:').join('|')}|---:|`,
    ...lines.map((l) => `| ${l.construct} | ${labels.map((k) => l.counts[k] ?? 0).join(' | ')} | ${l.usd.toFixed(2)} |`),
  ];
  const total = (k: string) => lines.reduce((s, l) => s + (l.counts[k] ?? 0), 0);
  rows.push(`| **Total** | ${labels.map((k) => `**${total(k)}**`).join(' | ')} | **${lines.reduce((s, l) => s + l.usd, 0).toFixed(2)}** |`);
  return rows.join('\n');
}

function topLevel(stack: Stack, c: IConstruct): string {
  let s: IConstruct = c;
  while (s.node.scope && s.node.scope !== stack) s = s.node.scope;
  return s.node.id;
}
