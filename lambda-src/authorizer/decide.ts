/**
 * One authorizer decision per API Gateway event, over an injected clock and key source: reads the
 * token from the configured header, checks its structure before any key is fetched, verifies it,
 * and builds the Allow policy. The one pipeline for every key source (key-sources.ts: a Secrets
 * Manager key ring, an asymmetric ring's JWKS in S3, an identity provider's JWKS). Also formats
 * the one log line per decision. Pure: index.ts only wires it to the environment, the network
 * and the console.
 */
import { AllowResponse, allowResponse, AuthorizerConfig, ConfigResult, DenyReason, extractToken, MethodArnPrefix, parseMethodArn, VerifyResult } from './core';

export interface Decision {
  readonly response?: AllowResponse;
  readonly reason: DenyReason | 'ok';
  readonly kid?: string;
  readonly role?: string;
}

/**
 * The token of a TOKEN event (API Gateway already read the configured header into
 * `authorizationToken`) or of a REQUEST event, from the header named `headerName` (any case).
 */
export function tokenFrom(event: Record<string, unknown>, headerName: string): string | undefined {
  if (event.type === 'TOKEN') return extractToken(event.authorizationToken);
  if (event.type !== 'REQUEST') return undefined;
  const headers = event.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const wanted = headerName.toLowerCase();
  const names = Object.keys(headers).filter((name) => name.toLowerCase() === wanted);
  // Two spellings of the header, or a repeated header, is ambiguous: refuse rather than pick one.
  if (names.length !== 1) return undefined;
  const multi = event.multiValueHeaders as Record<string, unknown> | null | undefined;
  const values = multi && typeof multi === 'object' ? multi[names[0]] : undefined;
  if (Array.isArray(values) && values.length > 1) return undefined;
  return extractToken((headers as Record<string, unknown>)[names[0]]);
}

/** The cache rules a key source follows (key-cache.ts, jwks-cache.ts): TTL, rate-limited refetch, back-off. */
export interface KeyCacheRules<E> {
  /** The cached entry if it is still within its TTL (the synchronous warm path). */
  fresh(nowMs: number): E | undefined;
  /** The fresh entry, or a newly fetched one; rejects when none can be had. */
  current(nowMs: number): Promise<E>;
  /** Fetches now, whatever the cache holds; rejects when it cannot. */
  fetch(nowMs: number): Promise<E>;
  /** Whether a token whose kid `entry` does not know may trigger a refetch now (claims the window). */
  claimForcedRefetch(entry: E, nowMs: number): boolean;
  /** The fetch in flight, if any (one per cache: fetch-gate.ts). */
  pending(): Promise<E> | undefined;
}

/** Where a decider's keys come from and how a token is checked against them. */
export interface KeySource<T, E> {
  /** The configuration policies are built from (the source may extend its role map). */
  readonly config: AuthorizerConfig;
  readonly cache: KeyCacheRules<E>;
  /** Structure and algorithm checks: cheap, and run before any key is fetched. */
  parse(token: string): { readonly ok: true; readonly token: T } | { readonly ok: false; readonly reason: DenyReason };
  /** Signature, then claims, then role. May throw: the request is then denied `keys_unavailable`. */
  verify(token: T, entry: E, nowMs: number): VerifyResult;
}

export interface DeciderOptions<T, E> {
  readonly config: ConfigResult;
  /** Builds the key source once the configuration is known to be valid. */
  readonly source: (config: AuthorizerConfig) => KeySource<T, E>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/**
 * Returns `decide(event)`: synchronous while the keys are cached (the warm path); only a fetch
 * (cold, expired TTL, or a rate-limited unknown-kid refetch) returns a promise.
 */
export function createDecider<T extends { readonly kid?: string }, E>(
  options: DeciderOptions<T, E>,
): (event: unknown) => Decision | Promise<Decision> {
  const { now } = options;
  if (!options.config.ok) return () => ({ reason: 'config_invalid' });
  const source = options.source(options.config.config);
  const { config, cache } = source;

  function decision(result: VerifyResult, arn: MethodArnPrefix): Decision {
    if (!result.ok) return { reason: result.reason, kid: result.kid };
    const response = allowResponse(result.identity, arn, config);
    if (!response) return { reason: 'bad_method_arn', kid: result.kid };
    return { response, reason: 'ok', kid: result.kid, role: result.identity.role };
  }

  async function afterFetch(token: T, arn: MethodArnPrefix, nowMs: number, fetching: 'current' | 'forced' | Promise<E>): Promise<Decision> {
    let result: VerifyResult;
    try {
      const entry = await (fetching === 'current' ? cache.current(nowMs) : fetching === 'forced' ? cache.fetch(nowMs) : fetching);
      result = source.verify(token, entry, nowMs);
    } catch {
      return { reason: 'keys_unavailable', kid: token.kid };
    }
    return decision(result, arn);
  }

  return (event) => {
    if (typeof event !== 'object' || event === null) return { reason: 'no_token' };
    const ev = event as Record<string, unknown>;
    const arn = parseMethodArn(ev.methodArn);
    if (!arn) return { reason: 'bad_method_arn' };
    const token = tokenFrom(ev, config.headerName);
    if (token === undefined) return { reason: 'no_token' };
    // Malformed tokens and disallowed algorithms are refused before any key is fetched: junk
    // costs no Secrets Manager, S3 or identity provider call.
    const parsed = source.parse(token);
    if (!parsed.ok) return { reason: parsed.reason };

    const nowMs = now();
    const entry = cache.fresh(nowMs);
    if (entry === undefined) return afterFetch(parsed.token, arn, nowMs, 'current');
    let result: VerifyResult;
    try {
      result = source.verify(parsed.token, entry, nowMs);
    } catch {
      return { reason: 'keys_unavailable', kid: parsed.token.kid };
    }
    // A kid we do not know may be a rotation newer than our cache. The refetch it may trigger is
    // once per window for everyone, so invented kids cannot make more of them; and every refetch
    // reads the latest keys, so an attacker can cause refetches but never prevent the next one:
    // a new key is accepted at most one window after its first token. A request that arrives
    // while a fetch is in flight (whoever started it) waits for that fetch instead of being
    // denied from the keys it is about to replace.
    if (!result.ok && (result.reason === 'unknown_kid' || result.reason === 'no_keys')) {
      if (cache.claimForcedRefetch(entry, nowMs)) return afterFetch(parsed.token, arn, nowMs, 'forced');
      const pending = cache.pending();
      if (pending) return afterFetch(parsed.token, arn, nowMs, pending);
    }
    return decision(result, arn);
  };
}

/** The allow line is the common one: built from constant text, same fields and order as logLine's. */
const ALLOW_LINE_START = '{"source":"jwt-authorizer","level":"info","decision":"allow","reason":"ok","eventType":';
/**
 * Allow lines by role: kid and event type repeat across requests (one kid per rotation, one event
 * type per authorizer), so a role's line is built once. Only configured roles reach an allow.
 */
const allowLines = new Map<string, { readonly kid: string; readonly eventType: string; readonly line: string }>();
const MAX_ALLOW_LINES = 256;

/** The one JSON log line for a decision. Never the token, its signature or any key: only codes and ids. */
export function logLine(d: Decision, event: unknown): string {
  const type = typeof event === 'object' && event !== null ? (event as Record<string, unknown>).type : undefined;
  const eventType = type === 'TOKEN' || type === 'REQUEST' ? type : 'unknown';
  if (d.response && d.reason === 'ok' && d.kid && d.role) {
    const hit = allowLines.get(d.role);
    if (hit && hit.kid === d.kid && hit.eventType === eventType) return hit.line;
    const line = `${ALLOW_LINE_START}"${eventType}","kid":${JSON.stringify(d.kid)},"role":${JSON.stringify(d.role)}}`;
    if (allowLines.size >= MAX_ALLOW_LINES) allowLines.clear();
    allowLines.set(d.role, { kid: d.kid, eventType, line });
    return line;
  }
  return JSON.stringify({
    source: 'jwt-authorizer',
    level: d.response ? 'info' : 'warn',
    decision: d.response ? 'allow' : 'deny',
    reason: d.reason,
    eventType,
    ...(d.kid ? { kid: d.kid } : {}),
    ...(d.role ? { role: d.role } : {}),
  });
}
