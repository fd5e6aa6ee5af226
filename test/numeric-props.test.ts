/**
 * Every numeric prop of every construct (read from the jsii assembly, so a new prop cannot be
 * missed) gets the values platform teams get wrong: a fraction where the service takes whole
 * numbers, a negative, zero, a huge value, NaN. Each is refused with a ValidationError naming the
 * construct path, the prop and the allowed range, or is listed below as accepted, with the reason.
 * The allowed range is also in the prop's doc comment (`Allowed: ...`), which the test checks.
 */
import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { RBAC } from './helpers/construct-fixtures';
import { NumericProp, numericProps } from './helpers/jsii-numeric-props';
import { testStack } from './helpers/stack';
import { userFunction } from './helpers/user-function';
import { AccountSecurityEvents } from '../src/audit-trail/account-security-events';
import { SecurityAuditAlarms } from '../src/audit-trail/security-audit-alarms';
import { SecurityAuditArchive } from '../src/audit-trail/security-audit-archive';
import { SecurityAuditTrail } from '../src/audit-trail/security-audit-trail';
import { JwtAuthorizer } from '../src/authorizer/jwt-authorizer';
import { RotatingJwtSecret } from '../src/jwt-keys/rotating-jwt-secret';
import { LeastPrivilegeLambdaPolicies } from '../src/least-privilege/least-privilege-lambda-policies';
import { HardenedRestApi } from '../src/rest-api/hardened-rest-api';
import { ValidationError } from '../src/shared/validation';

type Props = Record<string, unknown>;

/** How to build each construct with the props under test; the path its errors name. */
const CONSTRUCTS: Record<string, { readonly path: string; build(scope: Construct, props: Props): void }> = {
  HardenedRestApi: {
    path: 'TestStack/Api',
    build: (scope, props) => {
      const api = new HardenedRestApi(scope, 'Api', { signingKeys: new RotatingJwtSecret(scope, 'Keys'), ...RBAC, ...props });
      api.addMethod('/orders', 'GET', new apigateway.MockIntegration());
    },
  },
  JwtAuthorizer: {
    path: 'TestStack/Authorizer',
    build: (scope, props) => {
      const authz = new JwtAuthorizer(scope, 'Authorizer', { signingKeys: new RotatingJwtSecret(scope, 'Keys'), ...RBAC, ...props });
      new apigateway.RestApi(scope, 'Api', { cloudWatchRole: false }).root.addMethod('GET', new apigateway.MockIntegration(), { authorizer: authz.authorizer });
    },
  },
  LeastPrivilegeLambdaPolicies: {
    path: 'TestStack/Policies',
    build: (scope, props) => new LeastPrivilegeLambdaPolicies(scope, 'Policies', { function: userFunction(scope, 'Function'), ...props }),
  },
  RotatingJwtSecret: { path: 'TestStack/Secret', build: (scope, props) => new RotatingJwtSecret(scope, 'Secret', props) },
  SecurityAuditTrail: { path: 'TestStack/AuditTrail', build: (scope, props) => new SecurityAuditTrail(scope, 'AuditTrail', props) },
  AccountSecurityEvents: { path: 'TestStack/SecurityEvents', build: (scope, props) => new AccountSecurityEvents(scope, 'SecurityEvents', props) },
  SecurityAuditArchive: {
    path: 'TestStack/Archive',
    build: (scope, props) => new SecurityAuditArchive(scope, 'Archive', { trailName: 'org-trail', ...props }),
  },
  SecurityAuditAlarms: {
    path: 'TestStack/AuditAlarms',
    build: (scope, props) => new SecurityAuditAlarms(scope, 'AuditAlarms', {
      logGroup: logs.LogGroup.fromLogGroupName(scope, 'Trail', 'aws-controltower/CloudTrailLogs'), ...props,
    }),
  },
};

type Probe = 'fraction' | 'negative' | 'zero' | 'huge' | 'nan';
const PROBES: readonly Probe[] = ['fraction', 'negative', 'zero', 'huge', 'nan'];

interface NumericCase {
  /**
   * What the service takes: `integer` or `decimal` numbers, or a Duration counted in whole
   * units of the given kind (`decimal` for a Duration any fraction of a millisecond of which is fine).
   */
  readonly takes: 'integer' | 'decimal' | 'whole milliseconds' | 'whole seconds' | 'whole hours' | 'whole days';
  /** A value inside the range that has a fraction where the service counts whole units. */
  readonly fraction: number | Duration;
  /** The text of the error that names the allowed range (all probes' messages match it). */
  readonly range: RegExp;
  /** The sentence of the prop's doc comment that gives the range. */
  readonly allowed: string;
  /** The prop the error names, when not the jsii path (array elements name their index). */
  readonly prop?: string;
  /** Builds the props from the value, when not by the jsii path (value classes, array elements). */
  readonly props?: (value: number | Duration) => Props;
  /** Probes that build without error, and why that is right. */
  readonly accepted?: Partial<Record<Probe, string>>;
  /** Probes that aws-cdk-lib refuses before the construct sees the value, and how. */
  readonly refusedUpstream?: Partial<Record<Probe, string>>;
}

const DOUBLE = 'the service takes a decimal number here';

const CASES: Record<string, NumericCase> = {
  'HardenedRestApi alarms.blockedRequestsThreshold': {
    takes: 'decimal',
    fraction: 20.5,
    range: /between 1 and 1000000000/,
    allowed: 'Allowed: 1 to 1,000,000,000.',
    accepted: { fraction: `${DOUBLE} (CloudWatch alarm thresholds are doubles; the alarm fires from the next whole count)` },
  },
  'HardenedRestApi alarms.clientErrorRateThreshold': {
    takes: 'decimal',
    fraction: 0.5,
    range: /a fraction above 0 and at most 1/,
    allowed: 'Allowed: above 0, at most 1.',
    accepted: { fraction: `${DOUBLE}: a rate` },
  },
  'HardenedRestApi alarms.serverErrorRateThreshold': {
    takes: 'decimal',
    fraction: 0.5,
    range: /a fraction above 0 and at most 1/,
    allowed: 'Allowed: above 0, at most 1.',
    accepted: { fraction: `${DOUBLE}: a rate` },
  },
  'HardenedRestApi alarms.latencyThreshold': {
    takes: 'whole milliseconds',
    fraction: Duration.millis(1500.5),
    range: /between 1 milli and 29 seconds/,
    allowed: 'Allowed: whole milliseconds, 1 millisecond to 29 seconds.',
  },
  'HardenedRestApi throttlingBurstLimit': {
    takes: 'integer', fraction: 20.5, range: /between 1 and 5000/, allowed: 'Allowed: a whole number, 1 to 5,000.',
  },
  'HardenedRestApi throttlingRateLimit': {
    takes: 'decimal',
    fraction: 20.5,
    range: /between 1 and 10000/,
    allowed: 'Allowed: 1 to 10,000.',
    accepted: { fraction: `${DOUBLE} (ThrottlingRateLimit is a double: requests per second on average)` },
  },
  'HardenedRestApi usagePlan.quota.limit': {
    takes: 'integer', fraction: 20.5, range: /between 1 and 2147483647/, allowed: 'Allowed: `quota.limit` a whole number, 1 to 2,147,483,647;',
  },
  'HardenedRestApi usagePlan.quota.offset': {
    takes: 'integer',
    fraction: 20.5,
    range: /between 0 and 999/,
    allowed: '`quota.offset` a whole number, 0 to `quota.limit` - 1;',
    props: (offset) => ({ usagePlan: { quota: { limit: 1000, offset, period: apigateway.Period.MONTH } } }),
    accepted: { zero: 'no request is taken off the first period\'s quota (the default)' },
  },
  'HardenedRestApi usagePlan.throttle.burstLimit': {
    takes: 'integer', fraction: 20.5, range: /between 1 and 5000/, allowed: '`throttle.burstLimit` a whole number, 1 to 5,000, at least `throttle.rateLimit`;',
  },
  'HardenedRestApi usagePlan.throttle.rateLimit': {
    takes: 'decimal',
    fraction: 20.5,
    range: /between 1 and 10000/,
    allowed: '`throttle.rateLimit` 1 to 10,000 (a decimal number).',
    accepted: { fraction: `${DOUBLE} (a usage plan's RateLimit is a double)` },
  },
  'HardenedRestApi waf.additionalManagedRuleGroups[].capacity': {
    takes: 'integer',
    fraction: 20.5,
    range: /between 1 and 5000/,
    allowed: 'Allowed: a whole number, 1 to 5,000.',
    prop: 'waf.additionalManagedRuleGroups[0].capacity',
    props: (capacity) => ({ waf: { additionalManagedRuleGroups: [{ name: 'AWSManagedRulesLinuxRuleSet', capacity }] } }),
  },
  'HardenedRestApi waf.rateLimit': {
    takes: 'integer', fraction: 20.5, range: /between 10 and 2000000000/, allowed: 'Allowed: a whole number, 10 to 2,000,000,000.',
  },
  'HardenedRestApi waf.rateLimitWindow': {
    takes: 'whole seconds', fraction: Duration.millis(60_500), range: /must be 1, 2, 5 or 10 minutes/, allowed: 'Allowed: 1, 2, 5 or 10 minutes.',
  },
  'JwtAuthorizer clockSkew': {
    takes: 'whole seconds',
    fraction: Duration.millis(1500),
    range: /between 0 seconds and 5 minutes/,
    allowed: 'Allowed: whole seconds, 0 to 5 minutes.',
    accepted: { zero: 'no tolerance: expiry and not-before are checked to the second' },
  },
  'JwtAuthorizer keyCacheTtl': {
    takes: 'whole seconds',
    fraction: Duration.millis(1500),
    range: /between 0 seconds and 1 hour/,
    allowed: 'Allowed: whole seconds, 0 to 1 hour.',
    accepted: { zero: 'keys are fetched for every verification (the cache is off), a choice for rings that rotate often' },
  },
  'JwtAuthorizer keyFetchTimeout': {
    takes: 'whole milliseconds', fraction: Duration.millis(150.5), range: /between 100 millis and 5 seconds/, allowed: 'Allowed: whole milliseconds, 100 milliseconds to 5 seconds.',
  },
  'JwtAuthorizer maxTokenAge': {
    takes: 'whole seconds', fraction: Duration.millis(60_500), range: /between 1 minute and 7 days/, allowed: 'Allowed: whole seconds, 1 minute to 7 days.',
  },
  'JwtAuthorizer maxTokenLifetime': {
    takes: 'whole seconds', fraction: Duration.millis(60_500), range: /between 1 minute and 1 day/, allowed: 'Allowed: whole seconds, 1 minute to 1 day, at most `signingKeys.maxTokenLifetime`.',
  },
  'JwtAuthorizer reservedConcurrentExecutions': {
    takes: 'integer', fraction: 20.5, range: /between 1 and 1000/, allowed: 'Allowed: a whole number, 1 to 1,000.',
  },
  'JwtAuthorizer resultsCacheTtl': {
    takes: 'whole seconds',
    fraction: Duration.millis(1500),
    range: /between 0 seconds and 1 hour/,
    allowed: 'Allowed: whole seconds, 0 to 1 hour, at most `maxTokenLifetime`.',
    accepted: { zero: 'turns API Gateway\'s authorizer result cache off: every request is verified' },
  },
  'LeastPrivilegeLambdaPolicies maxManagedPolicies': {
    takes: 'integer', fraction: 2.5, range: /between 1 and 20/, allowed: 'Allowed: a whole number, 1 to 20.',
  },
  'RotatingJwtSecret gracePeriod': {
    takes: 'whole seconds',
    fraction: Duration.millis(7_200_500),
    range: /(a whole number of seconds, )?at least maxTokenLifetime \(1 hour\)|shorter than rotationInterval \(30 days\)/,
    allowed: 'Allowed: whole seconds, at least `maxTokenLifetime`, shorter than the rotation interval.',
  },
  'RotatingJwtSecret maxTokenLifetime': {
    takes: 'whole seconds', fraction: Duration.millis(60_500), range: /between 1 minute and 1 day/, allowed: 'Allowed: whole seconds, 1 minute to 1 day.',
  },
  'RotatingJwtSecret reservedConcurrentExecutions': {
    takes: 'integer', fraction: 2.5, range: /between 1 and 10/, allowed: 'Allowed: a whole number, 1 to 10.',
  },
  'RotatingJwtSecret rotationInterval': {
    takes: 'whole hours', fraction: Duration.minutes(270), range: /between 4 hours and 1000 days/, allowed: 'Allowed: whole hours, 4 hours to 1,000 days.',
  },
  'RotatingJwtSecret rotationWindow': {
    takes: 'whole hours', fraction: Duration.minutes(90), range: /between 1 and 24/, allowed: 'Allowed: whole hours, 1 to 24.',
  },
  'SecurityAuditTrail archiveExpiration': {
    takes: 'whole days', fraction: Duration.hours(400 * 24 + 12), range: /between 365 days and 36500 days/, allowed: 'Allowed: whole days, 365 to 36,500.',
  },
  'SecurityAuditTrail archiveTransitionAfter': {
    takes: 'whole days',
    fraction: Duration.hours(36),
    range: /between 1 day and 36500 days|earlier than archiveExpiration/,
    allowed: 'Allowed: whole days, 1 to 36,500, earlier than `archiveExpiration`.',
  },
  'SecurityAuditTrail guardDutyMinimumSeverity': {
    takes: 'decimal',
    fraction: 4.5,
    range: /between 1 and 8.9/,
    allowed: 'Allowed: 1 to 8.9.',
    accepted: { fraction: `${DOUBLE} (GuardDuty severities are decimals, e.g. 5.3)` },
  },
  'SecurityAuditTrail objectLockRetention.duration': {
    takes: 'whole days',
    fraction: Duration.hours(36),
    range: /between 1 day and 2555 days/,
    allowed: 'Allowed: 1 day to `archiveExpiration`.',
    props: (d) => ({ objectLockRetention: s3.ObjectLockRetention.governance(d as Duration) }),
    refusedUpstream: {
      fraction: 'aws-cdk-lib\'s ObjectLockRetention refuses it ("cannot be converted into a whole number of days") where the user writes it',
      zero: 'aws-cdk-lib\'s ObjectLockRetention refuses it ("must be at least 1 day") where the user writes it',
      huge: 'aws-cdk-lib\'s ObjectLockRetention refuses over 100 years ("must be less than 100 years"); 2,556 days to 100 years get the ValidationError (security-audit-trail.test.ts)',
    },
  },
};

// The archive, the alarms and the account security events take the trail's options (the same
// option structs or the same validation function): the same cases hold for them.
for (const [construct, paths] of [
  ['SecurityAuditArchive', ['archiveExpiration', 'archiveTransitionAfter', 'objectLockRetention.duration']],
  ['SecurityAuditAlarms', ['guardDutyMinimumSeverity']],
  ['AccountSecurityEvents', ['guardDutyMinimumSeverity']],
] as const) {
  for (const path of paths) CASES[`${construct} ${path}`] = CASES[`SecurityAuditTrail ${path}`];
}

const PROPS = numericProps();
const key = (p: NumericProp): string => `${p.construct} ${p.path}`;

/** `{ a: { b: value } }` for the path `a.b` (array paths need a `props` builder). */
function propsAt(path: string, value: unknown): Props {
  if (path.includes('[]') || path.includes('{}')) throw new Error(`${path}: give the case a props builder`);
  return path.split('.').reverse().reduce<unknown>((inner, segment) => ({ [segment]: inner }), value) as Props;
}

function probeValue(prop: NumericProp, c: NumericCase, probe: Probe): number | Duration | undefined {
  const numeric = prop.type === 'number';
  switch (probe) {
    case 'fraction': return c.fraction;
    case 'negative': return numeric ? -1 : undefined;
    case 'zero': return numeric ? 0 : Duration.seconds(0);
    case 'huge': return numeric ? 1e15 : Duration.days(1_000_000);
    case 'nan': return numeric ? NaN : undefined;
  }
}

test('the assembly has numeric props for every construct the table covers, and each has a case', () => {
  expect(PROPS.length).toBeGreaterThanOrEqual(30);
  expect(PROPS.filter((p) => !CASES[key(p)]).map(key)).toEqual([]);
  // A case whose prop no longer exists is stale.
  expect(Object.keys(CASES).filter((k) => !PROPS.some((p) => key(p) === k))).toEqual([]);
  expect(Object.keys(CONSTRUCTS).sort()).toEqual([...new Set(PROPS.map((p) => p.construct))].sort());
});

describe.each(PROPS.map((p) => [key(p), p] as const))('%s', (_name, prop) => {
  const c = CASES[key(prop)];
  const construct = CONSTRUCTS[prop.construct];
  if (!c || !construct) return;

  test(`documents the allowed range: "${c.allowed}"`, () => {
    expect(prop.docs.replace(/\s+/g, ' ')).toContain(c.allowed);
  });

  if (prop.type === 'Duration') {
    test('negative: accepted as unreachable, a Duration cannot hold one', () => {
      expect(() => Duration.seconds(-1)).toThrow(/Duration amounts cannot be negative/);
    });
  }

  test.each(PROBES.filter((p) => probeValue(prop, c, p) !== undefined))('%s', (probe) => {
    const value = probeValue(prop, c, probe)!;
    if (c.takes === 'integer' && probe === 'fraction') expect(Number.isInteger(value)).toBe(false);
    const act = (): void => construct.build(testStack(), c.props ? c.props(value) : propsAt(prop.path, value));
    const upstream = c.refusedUpstream?.[probe];
    if (upstream) {
      let thrown: unknown;
      try { act(); } catch (e) { thrown = e; }
      expect(thrown).toBeInstanceOf(Error);
      expect(thrown).not.toBeInstanceOf(ValidationError);
      return;
    }
    if (c.accepted?.[probe]) {
      expect(act).not.toThrow();
      return;
    }
    let thrown: unknown;
    try { act(); } catch (e) { thrown = e; }
    if (!(thrown instanceof ValidationError)) throw new Error(`expected a ValidationError for ${key(prop)} = ${String(value)}, got: ${String(thrown)}`);
    const propName = c.prop ?? prop.path;
    expect(thrown.prop).toBe(propName);
    expect(thrown.message.startsWith(`${construct.path}: ${propName} `)).toBe(true);
    expect(thrown.message).toMatch(c.range);
  });
});
