/**
 * From a request to an answer: the token out of its header, the stage prefix out of the
 * methodArn, and the Allow policy for a verified role on that stage (built once per role and
 * stage, then shared). Kept apart from verification: nothing here judges a token.
 */
import type { VerifiedIdentity } from './claims';
import type { AuthorizerConfig } from './config';

/**
 * Strips an optional `Bearer ` prefix (any case, exactly one space). Whatever remains must
 * still pass parseToken, so `Bearer  x` (two spaces) fails there as a malformed token.
 */
export function extractToken(headerValue: unknown): string | undefined {
  if (typeof headerValue !== 'string' || headerValue.length === 0) return undefined;
  return /^bearer /i.test(headerValue) ? headerValue.slice(7) : headerValue;
}

export interface MethodArnPrefix {
  /** `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/` */
  readonly prefix: string;
}

const METHOD_ARN = /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/[A-Za-z0-9_-]+\/)[A-Z]+\/[^\s]*$/;

export function parseMethodArn(methodArn: unknown): MethodArnPrefix | undefined {
  if (typeof methodArn !== 'string' || methodArn.length > 2048) return undefined;
  const match = METHOD_ARN.exec(methodArn);
  return match ? { prefix: match[1] } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Policy

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: ReadonlyArray<{
    readonly Action: 'execute-api:Invoke';
    readonly Effect: 'Allow';
    readonly Resource: readonly string[];
  }>;
}

export interface AllowResponse {
  readonly principalId: string;
  readonly policyDocument: PolicyDocument;
  readonly context: { readonly sub: string; readonly role: string };
}

/**
 * Policy documents by config, then stage prefix, then role. A role's document on a stage is
 * the same for every request, so it is built once and shared, deeply frozen. Only roles of the
 * configuration get one; the prefix level is bounded, and only matters if something is off.
 */
const policyCache = new WeakMap<AuthorizerConfig, Map<string, Map<string, PolicyDocument>>>();
const MAX_CACHED_PREFIXES = 1024;

function policyFor(role: string, prefix: string, config: AuthorizerConfig): PolicyDocument | undefined {
  let byPrefix = policyCache.get(config);
  if (!byPrefix) {
    byPrefix = new Map();
    policyCache.set(config, byPrefix);
  }
  let byRole = byPrefix.get(prefix);
  if (!byRole) {
    if (byPrefix.size >= MAX_CACHED_PREFIXES) byPrefix.clear();
    byRole = new Map();
    byPrefix.set(prefix, byRole);
  }
  const hit = byRole.get(role);
  if (hit) return hit;
  const methods = config.roleMethods.get(role);
  if (!methods || methods.length === 0) return undefined;
  // The ARN path omits the leading slash: `.../GET/users/me`; the root resource is `.../GET/`.
  const resources = Object.freeze(methods.map((m) => `${prefix}${m.method}/${m.path.slice(1)}`));
  const statement = Object.freeze({ Action: 'execute-api:Invoke' as const, Effect: 'Allow' as const, Resource: resources });
  const doc: PolicyDocument = Object.freeze({ Version: '2012-10-17' as const, Statement: Object.freeze([statement]) });
  byRole.set(role, doc);
  return doc;
}

/**
 * The Allow response for a verified identity on the stage of an already-parsed methodArn
 * (`parseMethodArn(...).prefix`). Returns undefined (deny) if the role has no methods.
 */
export function allowResponse(identity: VerifiedIdentity, arn: MethodArnPrefix, config: AuthorizerConfig): AllowResponse | undefined {
  const policyDocument = policyFor(identity.role, arn.prefix, config);
  if (!policyDocument) return undefined;
  return { principalId: identity.sub, policyDocument, context: { sub: identity.sub, role: identity.role } };
}
