/**
 * API Gateway Lambda authorizer (TOKEN, or REQUEST with the configured header) for asymmetric
 * tokens: the Lambda entry of assets/authorizer-jwks. Its keys come from a JWK Set: the one an
 * asymmetric RotatingJwtSecret publishes to S3 (`JWT_JWKS_BUCKET`, a signed GetObject), an
 * identity provider's (`JWT_JWKS_URL`), or the one OIDC discovery finds from
 * `JWT_OIDC_ISSUER_URL`. The HS256 key ring ships as assets/authorizer (../authorizer/index.ts);
 * an environment naming it is refused here (config_invalid). Everything but this wiring is the
 * shared code under ../authorizer (entry.ts, decide.ts, key-sources.ts, the caches).
 *
 * IAM: for a ring's JWKS, `s3:GetObject` on that one object and no secret permission at all; for
 * an identity provider none, the function only GETs its discovery document and JWK Set over HTTPS.
 */
import { AuthorizerConfig } from '../authorizer/core';
import { createDecider } from '../authorizer/decide';
import { authorizerHandler } from '../authorizer/entry';
import { nodeTransport } from '../authorizer/http-transport';
import { JwsAlgorithm } from '../authorizer/jwks';
import { fetchJwksDocument, JwksCache } from '../authorizer/jwks-cache';
import { jwksSource, parseJwksSourceSettings } from '../authorizer/key-sources';
import { DiscoveringJwksFetcher } from '../authorizer/oidc-discovery';
import { getS3Object } from '../authorizer/s3-object';

function jwksCache(cfg: AuthorizerConfig, algorithms: readonly JwsAlgorithm[], fetchJwks: (nowMs: number) => Promise<string>): JwksCache {
  return new JwksCache({
    fetchJwks,
    algorithms,
    ttlSeconds: cfg.keyCacheTtlSeconds,
    refetchMinIntervalSeconds: cfg.keyRefetchMinIntervalSeconds,
    onIgnoredKeys: (ignored) => console.log(JSON.stringify({ source: 'jwt-authorizer', level: 'warn', msg: 'JWKS keys ignored', ignored })),
  });
}

export const handler = authorizerHandler(parseJwksSourceSettings(process.env), (config, s) => {
  const env = process.env;
  const timeoutMs = config.keyFetchTimeoutMs;
  // Read Date.now at each call (not captured once), so a patched clock is seen too.
  const now = (): number => Date.now();
  let keys: JwksCache;
  switch (s.kind) {
    case 'ringJwks': {
      const location = s.location;
      keys = jwksCache(config, s.algorithms, (nowMs) => getS3Object({ env, location, timeoutMs, transport: nodeTransport, now: new Date(nowMs) }));
      break;
    }
    case 'jwksUrl': {
      const url = new URL(s.url);
      keys = jwksCache(config, s.algorithms, () => fetchJwksDocument(url, timeoutMs, nodeTransport));
      break;
    }
    case 'oidcDiscovery': {
      const discovery = new DiscoveringJwksFetcher({
        issuerUrl: s.issuerUrl,
        ttlSeconds: config.keyCacheTtlSeconds,
        timeoutMs,
        fetchDocument: (url, ms, maxBytes) => fetchJwksDocument(url, ms, nodeTransport, maxBytes),
        now,
        onProblem: (reason) => console.log(JSON.stringify({ source: 'jwt-authorizer', level: 'warn', msg: 'OIDC discovery failed', reason })),
      });
      keys = jwksCache(config, s.algorithms, discovery.fetchJwks);
      break;
    }
    default:
      throw new Error(`unexpected key source ${s.kind}`);
  }
  return createDecider({ config: { ok: true, config }, source: (c) => jwksSource(c, s.algorithms, keys), now });
});
