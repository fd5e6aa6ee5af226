/**
 * The authorizer's configuration, read from the environment once per cold start. Names, ranges,
 * defaults and the role-map grammar come from src/authorizer/authorizer-contract.ts, shared with the
 * construct; any present-but-malformed or missing required variable makes the configuration
 * invalid, and an invalid configuration denies every request (see core.ts).
 */
import { isRecord } from './token';
import { ApiMethod, checkRoleMap, DEFAULT_HEADER_NAME, DEFAULT_ROLE_CLAIM, ENV, headerNameProblem, IntegerLimit, LIMITS, roleClaimProblem } from '../../src/authorizer/authorizer-contract';

export interface AuthorizerConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly roleClaim: string;
  /** The header a REQUEST event carries the token in (TOKEN events carry it as authorizationToken). */
  readonly headerName: string;
  readonly maxTokenLifetimeSeconds: number;
  readonly maxTokenAgeSeconds: number;
  readonly clockSkewSeconds: number;
  readonly maxTokenBytes: number;
  readonly keyCacheTtlSeconds: number;
  readonly keyRefetchMinIntervalSeconds: number;
  readonly keyFetchTimeoutMs: number;
  /** role → deduplicated, sorted explicit methods. A Map so `__proto__` is just a string. */
  readonly roleMethods: ReadonlyMap<string, readonly ApiMethod[]>;
}

export type ConfigResult =
  | { readonly ok: true; readonly config: AuthorizerConfig }
  /** `problem` names the variable and rule; it never echoes a value. */
  | { readonly ok: false; readonly problem: string };

type Env = Readonly<Record<string, string | undefined>>;

class ConfigError extends Error {}

function requiredString(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '' || value !== value.trim()) {
    throw new ConfigError(`${name} is required and must not have surrounding whitespace`);
  }
  return value;
}

function optionalString(env: Env, name: string, fallback: string, problemOf: (v: string) => string | undefined): string {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : raw;
  const problem = problemOf(value);
  if (problem) throw new ConfigError(`${name} ${problem}`);
  return value;
}

function integer(env: Env, key: keyof typeof LIMITS): number {
  const name = ENV[key];
  const limit: IntegerLimit = LIMITS[key];
  const raw = env[name];
  if (raw === undefined || raw === '') return limit.default;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= limit.min && value <= limit.max)) throw new ConfigError(`${name} must be an integer from ${limit.min} to ${limit.max}`);
  return value;
}

function jsonObject(env: Env, name: string): Record<string, unknown> {
  const raw = requiredString(env, name);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${name} must be JSON`);
  }
  if (!isRecord(value)) throw new ConfigError(`${name} must be a JSON object`);
  return value;
}

/** Reads the configuration from the environment. Never throws: an invalid one is a value. */
export function parseConfig(env: Env): ConfigResult {
  try {
    const roles = jsonObject(env, ENV.rolePermissions);
    const permissions = jsonObject(env, ENV.permissionMethods);
    const roleMap = checkRoleMap(roles, permissions);
    if (!roleMap.ok) throw new ConfigError(`${ENV[roleMap.input]}: ${roleMap.rule}`);
    const config: AuthorizerConfig = {
      issuer: requiredString(env, ENV.issuer),
      audience: requiredString(env, ENV.audience),
      roleClaim: optionalString(env, ENV.roleClaim, DEFAULT_ROLE_CLAIM, roleClaimProblem),
      headerName: optionalString(env, ENV.headerName, DEFAULT_HEADER_NAME, headerNameProblem),
      maxTokenLifetimeSeconds: integer(env, 'maxTokenLifetimeSeconds'),
      maxTokenAgeSeconds: integer(env, 'maxTokenAgeSeconds'),
      clockSkewSeconds: integer(env, 'clockSkewSeconds'),
      maxTokenBytes: integer(env, 'maxTokenBytes'),
      keyCacheTtlSeconds: integer(env, 'keyCacheTtlSeconds'),
      keyRefetchMinIntervalSeconds: integer(env, 'keyRefetchMinIntervalSeconds'),
      keyFetchTimeoutMs: integer(env, 'keyFetchTimeoutMs'),
      roleMethods: roleMap.roleMethods,
    };
    return { ok: true, config };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, problem: e.message };
    return { ok: false, problem: 'unexpected error while reading the configuration' };
  }
}

