/**
 * The WAF options of a HardenedRestApi (`HardenedRestApiProps.waf`) and the types they use.
 */
import { Duration } from 'aws-cdk-lib';

/**
 * What a WAF rule does with a request it matches.
 */
export enum WafRuleAction {
  /** Let the request through and stop evaluating. */
  ALLOW = 'ALLOW',
  /** Reject the request with 403. */
  BLOCK = 'BLOCK',
  /** Only count (and label) the request; evaluation goes on. */
  COUNT = 'COUNT',
  /** Answer with a CAPTCHA puzzle. */
  CAPTCHA = 'CAPTCHA',
  /** Answer with a silent browser challenge. */
  CHALLENGE = 'CHALLENGE',
}

/**
 * Overrides the action of one rule inside a managed rule group, e.g. to COUNT
 * `SizeRestrictions_BODY` of `AWSManagedRulesCommonRuleSet` for APIs that accept bodies over 8 KB.
 */
export interface WafRuleActionOverride {
  /** The managed rule group, e.g. `AWSManagedRulesCommonRuleSet`. It must be in the web ACL. */
  readonly ruleGroupName: string;
  /** The rule in that group, e.g. `SizeRestrictions_BODY`. */
  readonly ruleName: string;
  /** The action to use instead of the rule's own. */
  readonly action: WafRuleAction;
}

/**
 * A further managed rule group for the web ACL, evaluated after the built-in ones.
 */
export interface WafManagedRuleGroup {
  /** The rule group's name, e.g. `AWSManagedRulesLinuxRuleSet`. */
  readonly name: string;

  /**
   * The rule group's vendor.
   *
   * @default 'AWS'
   */
  readonly vendorName?: string;

  /**
   * The rule group's capacity in WCU, as its vendor documents it; counted against the web ACL's budget.
   *
   * Allowed: a whole number, 1 to 5,000.
   */
  readonly capacity: number;

  /**
   * A pinned version of the rule group.
   *
   * @default - the vendor's default version
   */
  readonly version?: string;
}

/**
 * The WAF options of a HardenedRestApi (`HardenedRestApiProps.waf`).
 */
export interface HardenedRestApiWafOptions {
  /**
   * Requests per IP in each `rateLimitWindow` above which WAF blocks the IP (with 429).
   * At least 10, WAF's minimum.
   *
   * Allowed: a whole number, 10 to 2,000,000,000.
   *
   * @default 2000
   */
  readonly rateLimit?: number;

  /**
   * The window the rate limit counts over: 1, 2, 5 or 10 minutes.
   *
   * Allowed: 1, 2, 5 or 10 minutes.
   *
   * @default Duration.minutes(5)
   */
  readonly rateLimitWindow?: Duration;

  /**
   * Rate-limit by the client IP in this header (e.g. `X-Forwarded-For`) instead of the
   * connection's source IP. Only when a proxy you control (CloudFront) overwrites the header:
   * clients can set it to anything. The IP allow and deny lists always use the source IP.
   *
   * @default - the source IP
   */
  readonly forwardedIpHeader?: string;

  /**
   * Add AWSManagedRulesAnonymousIpList (VPNs, Tor, hosting providers; 50 WCU).
   *
   * @default false
   */
  readonly enableAnonymousIpList?: boolean;

  /**
   * Add AWSManagedRulesBotControlRuleSet at the COMMON inspection level (50 WCU, billed per request).
   *
   * @default false
   */
  readonly enableBotControl?: boolean;

  /**
   * Further managed rule groups, evaluated after the built-in ones.
   *
   * @default - none
   */
  readonly additionalManagedRuleGroups?: WafManagedRuleGroup[];

  /**
   * Per-rule action overrides inside the managed rule groups.
   *
   * @default - none
   */
  readonly ruleActionOverrides?: WafRuleActionOverride[];

  /**
   * Rollout mode: every WAF rule only counts (the deny list and rate limit count too), so
   * logs and metrics show what would be blocked before anything is.
   *
   * @default false
   */
  readonly countOnly?: boolean;

  /**
   * CIDR ranges (IPv4 or IPv6) that WAF lets through without further rules, after the deny list.
   *
   * @default - no allow list
   */
  readonly allowedIpRanges?: string[];

  /**
   * CIDR ranges (IPv4 or IPv6) that WAF blocks before any other rule.
   *
   * @default - no deny list
   */
  readonly deniedIpRanges?: string[];

  /**
   * Accept a web ACL over 1,500 WCU, which AWS WAF bills at a higher price (up to 5,000).
   *
   * @default false - over 1,500 WCU is a ValidationError
   */
  readonly allowHigherCapacityPricing?: boolean;

  /**
   * Whether WAF logs go to an `aws-waf-logs-` log group (with the authorization, x-api-key and
   * cookie headers redacted).
   *
   * @default true
   */
  readonly logging?: boolean;

  /**
   * Keep only BLOCK and COUNT requests in the WAF logs.
   *
   * @default false - all requests are logged
   */
  readonly logBlockedAndCountedOnly?: boolean;
}
