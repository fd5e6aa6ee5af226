import * as wafv2 from 'aws-cdk-lib/aws-wafv2';

/** WCU of the AWS managed rule groups this library knows (AWS WAF Developer Guide, managed rule groups). */
export const MANAGED_GROUP_WCU: Readonly<Record<string, number>> = {
  AWSManagedRulesAmazonIpReputationList: 25,
  AWSManagedRulesAnonymousIpList: 50,
  AWSManagedRulesCommonRuleSet: 700,
  AWSManagedRulesKnownBadInputsRuleSet: 200,
  AWSManagedRulesSQLiRuleSet: 200,
  AWSManagedRulesBotControlRuleSet: 50,
};

/** A rate-based statement costs 2 WCU; an IP set reference statement 1. */
export const RATE_RULE_WCU = 2;
export const IP_SET_REFERENCE_WCU = 1;
/** The web ACL capacity the base price covers, and the hard maximum of a web ACL. */
export const BASE_PRICE_WCU = 1500;
export const MAX_WCU = 5000;

export interface ManagedGroupRule {
  readonly vendorName: string;
  readonly name: string;
  readonly capacity: number;
  readonly version?: string;
  readonly config?: wafv2.CfnWebACL.ManagedRuleGroupConfigProperty;
}

export interface RuleOverride {
  readonly ruleGroupName: string;
  readonly ruleName: string;
  /** ALLOW, BLOCK, COUNT, CAPTCHA or CHALLENGE. */
  readonly action: string;
}

export interface WebAclRulesInput {
  readonly rateLimit: number;
  readonly rateLimitWindowSeconds: number;
  readonly forwardedIpHeader?: string;
  readonly managedGroups: readonly ManagedGroupRule[];
  readonly overrides: readonly RuleOverride[];
  readonly countOnly: boolean;
  /** ARNs of the IP sets of each list (IPv4 and/or IPv6). */
  readonly allowIpSetArns: readonly string[];
  readonly denyIpSetArns: readonly string[];
}

export interface WebAclRules {
  readonly rules: wafv2.CfnWebACL.RuleProperty[];
  readonly capacity: number;
}

/** Fixed priorities, so that turning an optional rule on or off never renumbers the others. */
export const PRIORITY = {
  denyList: 0,
  allowList: 1,
  rateLimit: 10,
  managedGroupsStart: 20,
} as const;

function visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}

export function ruleAction(action: string): wafv2.CfnWebACL.RuleActionProperty {
  switch (action) {
    case 'ALLOW': return { allow: {} };
    case 'BLOCK': return { block: {} };
    case 'COUNT': return { count: {} };
    case 'CAPTCHA': return { captcha: {} };
    case 'CHALLENGE': return { challenge: {} };
    default: throw new Error(`unknown WAF action ${action}`);
  }
}

function ipSetStatement(arns: readonly string[]): { statement: wafv2.CfnWebACL.StatementProperty; capacity: number } {
  const refs = arns.map((arn) => ({ ipSetReferenceStatement: { arn } }));
  return {
    statement: refs.length === 1 ? refs[0] : { orStatement: { statements: refs } },
    capacity: refs.length * IP_SET_REFERENCE_WCU,
  };
}

/**
 * The web ACL's rules in evaluation order, and their total WCU: deny list, allow list, per-IP
 * rate limit (429 on block), then the managed rule groups. The IP lists always match the
 * connection's source IP: a forwarded header is set by the client and would let anyone claim an
 * allow-listed address.
 */
export function buildWebAclRules(input: WebAclRulesInput): WebAclRules {
  const rules: wafv2.CfnWebACL.RuleProperty[] = [];
  let capacity = 0;
  const blockOrCount = (block: wafv2.CfnWebACL.RuleActionProperty) => input.countOnly ? { count: {} } : block;

  if (input.denyIpSetArns.length > 0) {
    const s = ipSetStatement(input.denyIpSetArns);
    rules.push({ name: 'DenyListedIps', priority: PRIORITY.denyList, statement: s.statement, action: blockOrCount({ block: {} }), visibilityConfig: visibility('DenyListedIps') });
    capacity += s.capacity;
  }
  if (input.allowIpSetArns.length > 0) {
    const s = ipSetStatement(input.allowIpSetArns);
    rules.push({ name: 'AllowListedIps', priority: PRIORITY.allowList, statement: s.statement, action: { allow: {} }, visibilityConfig: visibility('AllowListedIps') });
    capacity += s.capacity;
  }

  rules.push({
    name: 'RateLimitPerIp',
    priority: PRIORITY.rateLimit,
    statement: {
      rateBasedStatement: {
        limit: input.rateLimit,
        evaluationWindowSec: input.rateLimitWindowSeconds,
        aggregateKeyType: input.forwardedIpHeader ? 'FORWARDED_IP' : 'IP',
        forwardedIpConfig: input.forwardedIpHeader ? { headerName: input.forwardedIpHeader, fallbackBehavior: 'MATCH' } : undefined,
      },
    },
    action: blockOrCount({ block: { customResponse: { responseCode: 429 } } }),
    visibilityConfig: visibility('RateLimitPerIp'),
  });
  capacity += RATE_RULE_WCU;

  input.managedGroups.forEach((group, i) => {
    const overrides = input.overrides.filter((o) => o.ruleGroupName === group.name);
    rules.push({
      name: group.name,
      priority: PRIORITY.managedGroupsStart + i * 10,
      statement: {
        managedRuleGroupStatement: {
          vendorName: group.vendorName,
          name: group.name,
          version: group.version,
          ruleActionOverrides: overrides.length > 0 ? overrides.map((o) => ({ name: o.ruleName, actionToUse: ruleAction(o.action) })) : undefined,
          managedRuleGroupConfigs: group.config ? [group.config] : undefined,
        },
      },
      overrideAction: input.countOnly ? { count: {} } : { none: {} },
      visibilityConfig: visibility(group.name),
    });
    capacity += group.capacity;
  });

  return { rules, capacity };
}
