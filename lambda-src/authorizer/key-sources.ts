/**
 * The three places an authorizer gets its verification keys, each as a KeySource for the one
 * decider in decide.ts:
 *
 * - a key ring in Secrets Manager (HS256, `JWT_SECRET_ID`): the shared keys of current, next and
 *   unexpired previous, read with GetSecretValue;
 * - the JWKS an asymmetric RotatingJwtSecret publishes (ES256 / EdDSA, `JWT_JWKS_BUCKET`): the
 *   public keys of current, next and unexpired previous, read with a signed S3 GetObject, and
 *   only the ring's algorithm accepted;
 * - an identity provider's JWKS (`JWT_JWKS_URL`, or found through OIDC discovery from
 *   `JWT_OIDC_ISSUER_URL`): public keys over HTTPS, the configured algorithm allow-list.
 *
 * Which one the environment names is decided here too, and a mix of them is an invalid
 * configuration (every request denied), never a guess.
 */
import { AsymmetricToken, parseAsymmetricToken, parseJwksSettings, RoleUnions, verifyAsymmetric } from './asymmetric';
import { AuthorizerConfig, ParsedToken, parseToken, verifyParsedToken } from './core';
import { KeySource } from './decide';
import { JwsAlgorithm } from './jwks';
import { CachedJwks, JwksCache } from './jwks-cache';
import { CachedRing, KeyCache } from './key-cache';
import { S3ObjectLocation } from './s3-object';
import { ENV } from '../../src/authorizer/authorizer-contract';

type Env = Readonly<Record<string, string | undefined>>;
type JwsAlgorithmList = readonly JwsAlgorithm[];

export type KeySourceSettings =
  | { readonly kind: 'secret'; readonly secretId: string }
  | { readonly kind: 'jwksUrl'; readonly url: string; readonly algorithms: JwsAlgorithmList }
  | { readonly kind: 'oidcDiscovery'; readonly issuerUrl: string; readonly algorithms: JwsAlgorithmList }
  | { readonly kind: 'ringJwks'; readonly location: S3ObjectLocation; readonly algorithms: JwsAlgorithmList };

/** An asymmetric ring signs with one of these; its JWKS verifies that one algorithm only. */
const RING_ALGORITHMS: readonly string[] = ['ES256', 'EdDSA'];
/** S3 bucket names (3 to 63 characters, lower case, digits, dots, hyphens). */
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const MAX_OBJECT_KEY_LENGTH = 1024;

function ringJwksSettings(env: Env): KeySourceSettings | { readonly problem: string } {
  const bucket = env[ENV.jwksBucket]!;
  const key = env[ENV.jwksObjectKey] ?? '';
  const region = env[ENV.jwksBucketRegion] ?? '';
  if (!BUCKET_PATTERN.test(bucket)) return { problem: `${ENV.jwksBucket} must be an S3 bucket name` };
  if (key.length === 0 || key.length > MAX_OBJECT_KEY_LENGTH || key.startsWith('/')) {
    return { problem: `${ENV.jwksObjectKey} is required with ${ENV.jwksBucket}: an object key of 1 to ${MAX_OBJECT_KEY_LENGTH} characters, not starting with /` };
  }
  if (!REGION_PATTERN.test(region)) return { problem: `${ENV.jwksBucketRegion} is required with ${ENV.jwksBucket}: an AWS Region name` };
  const algorithm = env[ENV.algorithms] ?? '';
  if (!RING_ALGORITHMS.includes(algorithm)) {
    return { problem: `${ENV.algorithms} must name the ring's one algorithm with ${ENV.jwksBucket}: ${RING_ALGORITHMS.join(' or ')}` };
  }
  return { kind: 'ringJwks', location: { bucket, key, region }, algorithms: [algorithm] as JwsAlgorithmList };
}

const KEY_SOURCE_NAMES = [ENV.secretId, ENV.jwksBucket, ENV.jwksUrl, ENV.oidcIssuerUrl];

/**
 * Each family of key sources ships as its own handler asset, so a function loads and compiles
 * only the code of its mode: the HS256 ring (assets/authorizer) and the asymmetric sources
 * (assets/authorizer-jwks). The construct picks the asset from the key source.
 */
export const KEY_SOURCE_FAMILIES = {
  secretRing: { asset: 'authorizer', names: [ENV.secretId] },
  jwks: { asset: 'authorizer-jwks', names: [ENV.jwksBucket, ENV.jwksUrl, ENV.oidcIssuerUrl] },
} as const;
export type KeySourceFamily = keyof typeof KEY_SOURCE_FAMILIES;

/**
 * The one key source the environment names, refused when it belongs to the other family (a
 * function deployed with the wrong asset denies everything instead of guessing).
 */
function namedKeySource(env: Env, family: KeySourceFamily): string | { readonly problem: string } {
  const named = KEY_SOURCE_NAMES.filter((name) => env[name] !== undefined && env[name] !== '');
  if (named.length !== 1) return { problem: `exactly one of ${KEY_SOURCE_NAMES.join(', ')} must be set` };
  const own: readonly string[] = KEY_SOURCE_FAMILIES[family].names;
  if (!own.includes(named[0])) {
    const other = family === 'secretRing' ? 'jwks' : 'secretRing';
    return {
      problem: `${named[0]} is a key source of assets/${KEY_SOURCE_FAMILIES[other].asset}; this handler ` +
        `(assets/${KEY_SOURCE_FAMILIES[family].asset}) verifies with ${own.join(', ')} only`,
    };
  }
  return named[0];
}

/** The settings of assets/authorizer: the HS256 key ring in Secrets Manager. */
export function parseSecretRingSettings(env: Env): KeySourceSettings | { readonly problem: string } {
  const named = namedKeySource(env, 'secretRing');
  if (typeof named !== 'string') return named;
  return { kind: 'secret', secretId: env[ENV.secretId]! };
}

/** The settings of assets/authorizer-jwks: a ring's JWKS object, a JWKS URL or OIDC discovery. */
export function parseJwksSourceSettings(env: Env): KeySourceSettings | { readonly problem: string } {
  const named = namedKeySource(env, 'jwks');
  if (typeof named !== 'string') return named;
  if (named === ENV.jwksBucket) return ringJwksSettings(env);
  const jwks = parseJwksSettings(env)!;
  if ('problem' in jwks) return jwks;
  return 'url' in jwks
    ? { kind: 'jwksUrl', url: jwks.url, algorithms: jwks.algorithms }
    : { kind: 'oidcDiscovery', issuerUrl: jwks.issuerUrl, algorithms: jwks.algorithms };
}

/**
 * Which key source the environment names: exactly one of a secret, a ring's JWKS object, a JWKS
 * URL and an issuer to discover the JWKS from (either family; each asset parses only its own).
 */
export function parseKeySourceSettings(env: Env): KeySourceSettings | { readonly problem: string } {
  return env[ENV.secretId] ? parseSecretRingSettings(env) : parseJwksSourceSettings(env);
}

/** HS256 tokens against a Secrets Manager key ring (key-cache.ts). */
export function secretRingSource(config: AuthorizerConfig, keys: KeyCache): KeySource<ParsedToken, CachedRing> {
  return {
    config,
    parse: (token) => parseToken(token, config),
    cache: keys,
    verify: (token, entry, nowMs) => verifyParsedToken(token, keys.keysOf(entry, nowMs), new Date(nowMs), config),
  };
}

/**
 * Asymmetric tokens against a JWK Set (jwks-cache.ts), whether an identity provider's or an
 * asymmetric ring's: `algorithms` is the allow-list, checked before any key is fetched.
 */
export function jwksSource(config: AuthorizerConfig, algorithms: JwsAlgorithmList, keys: JwksCache): KeySource<AsymmetricToken, CachedJwks> {
  const roles = new RoleUnions(config);
  return {
    // The role map extended with role unions: the policy of a union is built from it.
    config: roles.config,
    parse: (token) => parseAsymmetricToken(token, config.maxTokenBytes, algorithms),
    cache: keys,
    verify: (token, entry, nowMs) => verifyAsymmetric(token, entry.jwks.keys, nowMs, roles, entry.jwks.refused),
  };
}
