/**
 * The JwtAuthorizer's reason codes grouped into security event types, each with a severity.
 * Pure (no aws-cdk-lib): the table and the filter patterns it yields are tested against the
 * handler's own `DenyReason` list, so a new reason code cannot go uncounted.
 *
 * The handler writes one JSON line per request:
 * `{"source":"jwt-authorizer","level":...,"decision":"allow"|"deny","reason":<code>,...}`.
 */

/** How urgently a type of event needs a person. */
export type SecuritySeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';

/**
 * Where the authorizer gets its verification keys: an HS256 key ring in Secrets Manager
 * (`signingKeys` or `secret`), the public keys an ES256/EdDSA ring publishes to S3
 * (`signingKeys`), or an identity provider's JWK Set over HTTPS (`identityProvider`).
 */
export type KeySource = 'keyRing' | 'publishedKeys' | 'identityProvider';

export interface AuthorizerEventType {
  /** Metric name the type's filter publishes. */
  readonly metricName: string;
  readonly severity: SecuritySeverity;
  /**
   * What a count of these means, for alarm descriptions and the README; one text per key source
   * where the same reason codes mean different failures.
   */
  readonly meaning: string | Readonly<Record<KeySource, string>>;
  /** The deny reason codes of the type. */
  readonly reasons: ReadonlyArray<string>;
}

export const AUTHORIZER_EVENT_TYPES: ReadonlyArray<AuthorizerEventType> = [
  {
    metricName: 'ForgedTokens',
    severity: 'HIGH',
    meaning: 'tokens whose signature does not verify, that name a key the ring does not hold or one the authorizer refuses (not for signatures, or weak), or that ask for another algorithm or forbidden header (forgery attempts)',
    reasons: ['bad_signature', 'unknown_kid', 'bad_alg', 'forbidden_header', 'key_alg_mismatch', 'key_use_not_sig', 'key_ops_not_verify', 'weak_key'],
  },
  {
    metricName: 'MalformedTokens',
    severity: 'MEDIUM',
    meaning: 'tokens that are not well-formed JWTs or whose claims have the wrong type (probing or a broken client)',
    reasons: ['token_too_large', 'malformed_token', 'bad_encoding', 'bad_header', 'bad_typ', 'bad_kid', 'bad_payload',
      'bad_exp', 'bad_nbf', 'bad_iat', 'bad_sub', 'bad_role'],
  },
  {
    metricName: 'ExpiredTokens',
    severity: 'LOW',
    meaning: 'tokens outside their validity window or older than the maximum age (replay, or clients with stale tokens)',
    reasons: ['expired', 'not_yet_valid', 'iat_in_future', 'token_too_old', 'lifetime_too_long'],
  },
  {
    metricName: 'WrongIssuerOrAudience',
    severity: 'MEDIUM',
    meaning: 'valid-looking tokens issued by someone else or for another API (token substitution)',
    reasons: ['bad_iss', 'bad_aud'],
  },
  {
    metricName: 'ForbiddenRoles',
    severity: 'HIGH',
    meaning: 'signed tokens naming a role the API does not grant (privilege escalation attempts or a misconfigured issuer)',
    reasons: ['unknown_role', 'too_many_roles'],
  },
  {
    metricName: 'MissingTokens',
    severity: 'LOW',
    meaning: 'requests without a token or with a method ARN the authorizer cannot use',
    reasons: ['no_token', 'bad_method_arn'],
  },
  {
    metricName: 'KeysUnavailable',
    severity: 'CRITICAL',
    meaning: {
      keyRing: 'the key ring could not be read from Secrets Manager (unreachable, timed out, access denied, not a key ring), or it holds no key: every request is denied',
      publishedKeys: 'the key ring\'s published JWK Set could not be read from S3 (unreachable, timed out, access denied, not a JWK Set), '
        + 'or it holds no key for the ring\'s algorithm: every request is denied',
      identityProvider: 'the identity provider\'s JWK Set could not be fetched (unreachable, timed out, not HTTP 200, not a JWK Set), or it holds no key '
        + 'for the allowed algorithms: every request is denied',
    },
    reasons: ['keys_unavailable', 'no_keys'],
  },
  {
    metricName: 'ConfigInvalid',
    severity: 'CRITICAL',
    meaning: 'the authorizer configuration is invalid or the handler failed: every request is denied',
    reasons: ['config_invalid', 'internal_error'],
  },
];

/** What a count of `type` means for an authorizer whose keys come from `source`. */
export function meaningOf(type: AuthorizerEventType, source: KeySource): string {
  return typeof type.meaning === 'string' ? type.meaning : type.meaning[source];
}

/**
 * The CloudWatch Logs filter pattern that matches the authorizer's deny lines with one of
 * `reasons`. String values are quoted, so reason codes match exactly.
 */
export function denyFilterPattern(reasons: ReadonlyArray<string>): string {
  const anyReason = reasons.map((r) => `($.reason = "${r}")`).join(' || ');
  return `{ ($.source = "jwt-authorizer") && ($.decision = "deny") && (${anyReason}) }`;
}
