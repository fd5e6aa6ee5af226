/**
 * Pure core of the JWT authorizer: configuration, token verification and IAM policy building.
 * No AWS SDK, no clock, no I/O: everything arrives as arguments, so every rule here is unit
 * tested and fuzzed without a network.
 *
 * Environment variable names, their ranges and defaults, and the role-map grammar are the
 * contract in src/authorizer/authorizer-contract.ts, shared with the construct (which validates the
 * same values with the same functions at synth time). Any variable that is present but
 * malformed, or a required one that is missing, makes the configuration invalid, and an invalid
 * configuration denies every request (fail closed): a typo in a role map must never widen
 * access, so it is never "repaired" or partly applied.
 *
 * ## What the construct must grant and configure
 *
 * - IAM: `secretsmanager:GetSecretValue` on the secret (the handler only ever asks for
 *   VersionStage AWSCURRENT); `kms:Decrypt` on the secret's key (via Secrets Manager only); the
 *   usual CloudWatch Logs permissions. Nothing else: the handler calls no other API.
 * - Handler `index.handler`, code `assets/authorizer` (HS256 ring; `assets/authorizer-jwks` for the asymmetric key sources). TOKEN authorizer (identity source the
 *   configured header) or REQUEST authorizer with that header as identity source and
 *   `JWT_HEADER_NAME` naming it. A cached Allow outlives the token's `exp` by up to the cache
 *   TTL, so keep that TTL short (e.g. 300 s or less).
 * - Logs: one JSON line per request, `{"source":"jwt-authorizer","level","decision":"allow"|
 *   "deny","reason":<DenyReason|"ok">,"eventType","kid"?,"role"?}`, and one `level:"error"` line
 *   at cold start when the configuration is invalid.
 *
 * A successful check returns an Allow policy listing every method the role may call (not only
 * the requested one, each with an explicit verb: a `*` method is expanded), built on the
 * incoming methodArn's `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/` prefix,
 * so API Gateway's authorizer cache returns a correct answer for any method later called with
 * the same token. A method outside the role's list gets 403; a bad token gets 401.
 *
 * This module is the core's one import point; each concern has its own module: deny-reason.ts
 * (reason codes), config.ts (environment), token.ts (token structure), claims.ts (signature and
 * claims), policy.ts (methodArn, bearer header and the Allow policy).
 */
export type { ApiMethod } from '../../src/authorizer/authorizer-contract';
export type { DenyReason } from './deny-reason';
export type { AuthorizerConfig, ConfigResult } from './config';
export { parseConfig } from './config';
export type { ParsedToken, ParseResult } from './token';
export { B64URL_TOKEN, decodeJsonObject, isCanonicalB64url, parseToken } from './token';
export type { VerifiedIdentity, VerifyResult } from './claims';
export { checkRegisteredClaims, verifyParsedToken } from './claims';
export type { AllowResponse, MethodArnPrefix, PolicyDocument } from './policy';
export { allowResponse, extractToken, parseMethodArn } from './policy';
