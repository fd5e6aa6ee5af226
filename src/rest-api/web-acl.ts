/**
 * The WAF web ACL of a HardenedRestApi: managed rule groups, rate rule, IP sets, the capacity
 * (WCU) check against the price tier, the stage association and redacted logging.
 */
import { Annotations, ArnFormat, Duration, Names, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { HardenedRestApiWafOptions } from './hardened-rest-api-waf-options';
import { BASE_PRICE_WCU, MANAGED_GROUP_WCU, MAX_WCU, ManagedGroupRule, buildWebAclRules } from './waf-rules';
import { ValidationError, validateIntegerRange } from '../shared/validation';

/** Never logged: the JWT, the API key and session cookies. */
const REDACTED_HEADERS = ['authorization', 'x-api-key', 'cookie'];

/** What a web ACL without logging is reported for, by pack. */
export const WAF_LOGGING_FINDINGS = ['NIST.800.53.R5-WAFv2LoggingEnabled', 'HIPAA.Security-WAFv2LoggingEnabled', 'PCI.DSS.321-WAFv2LoggingEnabled'];

export type LogGroupFactory = (id: string, logGroupName: string, retention: logs.RetentionDays) => logs.LogGroup;

export interface WebAclParts {
  readonly webAcl: wafv2.CfnWebACL;
  readonly association: wafv2.CfnWebACLAssociation;
  readonly capacity: number;
  readonly logGroup?: logs.LogGroup;
}

function aws(name: string): ManagedGroupRule {
  return { vendorName: 'AWS', name, capacity: MANAGED_GROUP_WCU[name] };
}

export function createWebAcl(
  scope: Construct, stage: apigateway.Stage, waf: HardenedRestApiWafOptions, retention: logs.RetentionDays, createLogGroup: LogGroupFactory,
): WebAclParts {
  const groups: ManagedGroupRule[] = [aws('AWSManagedRulesAmazonIpReputationList')];
  if (waf.enableAnonymousIpList) groups.push(aws('AWSManagedRulesAnonymousIpList'));
  groups.push(aws('AWSManagedRulesCommonRuleSet'), aws('AWSManagedRulesKnownBadInputsRuleSet'), aws('AWSManagedRulesSQLiRuleSet'));
  if (waf.enableBotControl) {
    groups.push({ ...aws('AWSManagedRulesBotControlRuleSet'), config: { awsManagedRulesBotControlRuleSet: { inspectionLevel: 'COMMON' } } });
  }
  for (const [i, extra] of (waf.additionalManagedRuleGroups ?? []).entries()) {
    validateIntegerRange(scope, `waf.additionalManagedRuleGroups[${i}].capacity`, extra.capacity, 1, MAX_WCU);
    if (groups.some((g) => g.name === extra.name)) {
      throw new ValidationError(scope, 'waf.additionalManagedRuleGroups', `has '${extra.name}', which the web ACL already holds`);
    }
    groups.push({ vendorName: extra.vendorName ?? 'AWS', name: extra.name, capacity: extra.capacity, version: extra.version });
  }
  for (const o of waf.ruleActionOverrides ?? []) {
    if (!groups.some((g) => g.name === o.ruleGroupName)) {
      throw new ValidationError(scope, 'waf.ruleActionOverrides', `names rule group '${o.ruleGroupName}', which is not in the web ACL (${groups.map((g) => g.name).join(', ')})`);
    }
  }

  const { rules, capacity } = buildWebAclRules({
    rateLimit: waf.rateLimit ?? 2000,
    rateLimitWindowSeconds: (waf.rateLimitWindow ?? Duration.minutes(5)).toSeconds(),
    forwardedIpHeader: waf.forwardedIpHeader,
    managedGroups: groups,
    overrides: waf.ruleActionOverrides ?? [],
    countOnly: waf.countOnly ?? false,
    allowIpSetArns: createIpSets(scope, 'Allow', waf.allowedIpRanges ?? []),
    denyIpSetArns: createIpSets(scope, 'Deny', waf.deniedIpRanges ?? []),
  });
  const budget = waf.allowHigherCapacityPricing ? MAX_WCU : BASE_PRICE_WCU;
  if (capacity > budget) {
    throw new ValidationError(scope, waf.allowHigherCapacityPricing ? 'waf.additionalManagedRuleGroups' : 'waf.allowHigherCapacityPricing',
      waf.allowHigherCapacityPricing
        ? `make the web ACL ${capacity} WCU, over the AWS WAF maximum of ${MAX_WCU}`
        : `must be true for a web ACL of ${capacity} WCU: the base price covers ${BASE_PRICE_WCU} WCU (rules: ${rules.map((r) => r.name).join(', ')})`);
  }

  const name = Names.uniqueResourceName(scope, { maxLength: 128 });
  const webAcl = new wafv2.CfnWebACL(scope, 'WebAcl', {
    name,
    description: `Protects the ${scope.node.path} REST API, ${capacity} WCU`,
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    rules,
    visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name },
  });
  const association = new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
    resourceArn: stage.stageArn,
    webAclArn: webAcl.attrArn,
  });
  // The stage must exist before WAF can be associated with it.
  association.node.addDependency(stage);

  if (waf.logging === false) {
    Annotations.of(webAcl).addWarningV2('cdk-security-blocks:wafLoggingOff',
      `waf.logging is false: acknowledge ${WAF_LOGGING_FINDINGS.join(', ')} on ${webAcl.node.path} with the reason, ` +
      'or keep WAF logs (a record of every blocked attack).');
    return { webAcl, association, capacity };
  }

  const logGroupName = `aws-waf-logs-${name}`.slice(0, 512);
  const logGroup = createLogGroup('WafLogs', logGroupName, retention);
  const logging = new wafv2.CfnLoggingConfiguration(scope, 'WafLogging', {
    resourceArn: webAcl.attrArn,
    // WAF wants the log group ARN without the ':*' suffix of the LogGroup's Arn attribute.
    logDestinationConfigs: [Stack.of(scope).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    redactedFields: REDACTED_HEADERS.map((h) => ({ singleHeader: { Name: h } })),
    loggingFilter: waf.logBlockedAndCountedOnly ? {
      DefaultBehavior: 'DROP',
      Filters: [{
        Behavior: 'KEEP',
        Requirement: 'MEETS_ANY',
        Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
      }],
    } : undefined,
  });
  logging.node.addDependency(logGroup);
  return { webAcl, association, capacity, logGroup };
}

/** One IP set per address family in use. */

/** One IP set per address family in use. */
function createIpSets(scope: Construct, kind: 'Allow' | 'Deny', ranges: string[]): string[] {
  const prop = kind === 'Allow' ? 'waf.allowedIpRanges' : 'waf.deniedIpRanges';
  const v4 = ranges.filter((r) => !r.includes(':'));
  const v6 = ranges.filter((r) => r.includes(':'));
  for (const r of v4) {
    if (!/^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/.test(r)) throw new ValidationError(scope, prop, `must hold CIDR ranges like 192.0.2.0/24 or 2001:db8::/32, got '${r}'`);
  }
  for (const r of v6) {
    if (!/^[0-9A-Fa-f:]+\/(\d{1,2}|1[01]\d|12[0-8])$/.test(r)) throw new ValidationError(scope, prop, `must hold CIDR ranges like 192.0.2.0/24 or 2001:db8::/32, got '${r}'`);
  }
  const arns: string[] = [];
  for (const [family, addresses] of [['IPV4', v4], ['IPV6', v6]] as const) {
    if (addresses.length === 0) continue;
    const set = new wafv2.CfnIPSet(scope, `${kind}${family === 'IPV4' ? 'Ipv4' : 'Ipv6'}Set`, {
      scope: 'REGIONAL',
      ipAddressVersion: family,
      addresses,
      description: `${kind === 'Allow' ? 'Allowed' : 'Denied'} ${family} ranges of ${scope.node.path}`,
    });
    arns.push(set.attrArn);
  }
  return arns;
}
