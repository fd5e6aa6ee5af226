/**
 * OIDC discovery (JWT_OIDC_ISSUER_URL) through the BUNDLED authorizer against a local issuer on
 * loopback HTTPS (test/helpers/jwks-server.ts): the issuer's discovery document names the JWK
 * Set; every bad document, and an unreachable, slow or oversized one, denies at once
 * (`keys_unavailable`) with a discovery reason code in the log, and never fetches keys from where
 * a bad document points. Each case starts its own warm process, since a container caches what it
 * discovered.
 */
import { generateKeyPairSync, JsonWebKey, KeyObject, sign } from 'crypto';
import { AssetProcess, Invocation, startAsset } from '../../helpers/invoke-asset';
import { JwksServer, startJwksServer } from '../../helpers/jwks-server';

const AUDIENCE = 'orders-api';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123def4/prod/GET/users/me';
const SOURCES = ['authorizer', 'authorizer-jwks', 'jwt', 'key-ring'];
const POOL = '/eu-west-1_AbCdEf123';

interface TestKey { readonly kid: string; readonly alg: 'ES256' | 'RS256'; readonly privateKey: KeyObject; readonly publicJwk: JsonWebKey }

function newKey(kid: string, alg: 'ES256' | 'RS256'): TestKey {
  const { privateKey, publicKey } = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, alg, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg } };
}

const ec = newKey('ec-key-a', 'ES256');
const rsa = newKey('rsa-key-a', 'RS256');

let idp: JwksServer;
let issuer: string;
let jwksUri: string;

const nowS = (): number => Math.floor(Date.now() / 1000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function token(k: TestKey, claims: Record<string, unknown> = {}): string {
  const input = `${b64({ alg: k.alg, kid: k.kid, typ: 'JWT' })}.${b64({ iss: issuer, aud: AUDIENCE, sub: 'user-1', role: 'user', iat: nowS() - 5, exp: nowS() + 600, ...claims })}`;
  const sig = k.alg === 'ES256'
    ? sign('sha256', Buffer.from(input), { key: k.privateKey, dsaEncoding: 'ieee-p1363' })
    : sign('sha256', Buffer.from(input), k.privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

function decisionOf(out: Invocation): Record<string, unknown> {
  const lines = out.logs.split('\n').filter((l) => l.startsWith('{"source":"jwt-authorizer"') && l.includes('"decision"'));
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

async function decide(proc: AssetProcess, k: TestKey = ec): Promise<Record<string, unknown>> {
  const out = await proc.invoke({ type: 'TOKEN', authorizationToken: `Bearer ${token(k)}`, methodArn: METHOD_ARN });
  const d = decisionOf(out);
  expect(out.ok).toBe(d.decision === 'allow');
  return d;
}

/** The discovery problems the process logged, in order. */
function discoveryProblems(proc: AssetProcess): string[] {
  return proc.logs().split('\n').filter((l) => l.includes('"msg":"OIDC discovery failed"')).map((l) => JSON.parse(l).reason);
}

function start(extra: Record<string, string> = {}): Promise<AssetProcess> {
  return startAsset('authorizer-jwks', {
    JWT_OIDC_ISSUER_URL: issuer,
    JWT_ISSUER: issuer,
    JWT_AUDIENCE: AUDIENCE,
    ROLE_PERMISSIONS: JSON.stringify({ user: ['read'] }),
    PERMISSION_METHODS: JSON.stringify({ read: ['GET /users/me'] }),
    KEY_REFETCH_MIN_INTERVAL_SECONDS: '1',
    KEY_FETCH_TIMEOUT_MS: '300',
    NODE_EXTRA_CA_CERTS: idp.caFile,
    ...extra,
  }, SOURCES);
}

/** Runs `body` against a fresh process, always stopping it. */
async function withProcess(body: (proc: AssetProcess) => Promise<void>, extra?: Record<string, string>): Promise<void> {
  const proc = await start(extra);
  try {
    await body(proc);
  } finally {
    await proc.stop();
  }
}

beforeAll(async () => {
  idp = await startJwksServer();
  issuer = `${idp.origin}${POOL}`;
  jwksUri = `${idp.origin}${POOL}/.well-known/jwks.json`;
  idp.body = { keys: [ec.publicJwk, rsa.publicJwk] };
});

beforeEach(() => {
  Object.assign(idp.discovery, { body: { issuer, jwks_uri: jwksUri, id_token_signing_alg_values_supported: ['RS256'] }, status: 200, delayMs: 0 });
  idp.status = 200;
});

afterAll(async () => {
  await idp?.stop();
});

test('tokens verify against the key set the discovery document names; both are read once per TTL', async () => {
  await withProcess(async (proc) => {
    const discoveriesBefore = idp.discovery.requests;
    const setsBefore = idp.requests;
    for (let i = 0; i < 5; i++) {
      expect(await decide(proc, ec)).toMatchObject({ decision: 'allow', role: 'user' });
      expect(await decide(proc, rsa)).toMatchObject({ decision: 'allow', role: 'user' });
    }
    expect([idp.discovery.requests - discoveriesBefore, idp.requests - setsBefore]).toEqual([1, 1]);
    await sleep(1100); // past the 1 s TTL: the document is read again, then the set
    expect(await decide(proc)).toMatchObject({ decision: 'allow' });
    expect([idp.discovery.requests - discoveriesBefore, idp.requests - setsBefore]).toEqual([2, 2]);
    expect(discoveryProblems(proc)).toEqual([]);
  }, { KEY_CACHE_TTL_SECONDS: '1' });
});

test('an issuer URL with a trailing slash is discovered under it without the slash, and must be echoed with it', async () => {
  issuer = `${idp.origin}${POOL}/`;
  try {
    Object.assign(idp.discovery, { body: { issuer, jwks_uri: jwksUri } });
    await withProcess(async (proc) => {
      idp.paths.length = 0;
      expect(await decide(proc)).toMatchObject({ decision: 'allow' });
      expect(idp.paths).toEqual([`${POOL}/.well-known/openid-configuration`, `${POOL}/.well-known/jwks.json`]);
    });
  } finally {
    issuer = `${idp.origin}${POOL}`;
  }
});

describe('a discovery document that must not be trusted denies every token, and no key set is fetched', () => {
  const port = (): string => new URL(idp.origin).port;
  const cases: Array<[string, () => unknown, string]> = [
    ['an issuer that differs in case', () => ({ issuer: issuer.toUpperCase().replace('HTTPS', 'https'), jwks_uri: jwksUri }), 'discovery_issuer_mismatch'],
    ['an issuer with a trailing slash added', () => ({ issuer: `${issuer}/`, jwks_uri: jwksUri }), 'discovery_issuer_mismatch'],
    ['another issuer', () => ({ issuer: 'https://evil.example/eu-west-1_AbCdEf123', jwks_uri: jwksUri }), 'discovery_issuer_mismatch'],
    ['no issuer', () => ({ jwks_uri: jwksUri }), 'discovery_issuer_mismatch'],
    ['an http jwks_uri', () => ({ issuer, jwks_uri: jwksUri.replace('https:', 'http:') }), 'discovery_jwks_uri_not_https'],
    ['a jwks_uri on another host', () => ({ issuer, jwks_uri: `https://localhost:${port()}${POOL}/.well-known/jwks.json` }), 'discovery_jwks_uri_off_origin'],
    ['a jwks_uri on another port', () => ({ issuer, jwks_uri: `https://127.0.0.1:${Number(port()) + 1}${POOL}/.well-known/jwks.json` }), 'discovery_jwks_uri_off_origin'],
    ['a jwks_uri with credentials', () => ({ issuer, jwks_uri: jwksUri.replace('https://', 'https://u:p@') }), 'discovery_jwks_uri_off_origin'],
    ['no jwks_uri', () => ({ issuer }), 'discovery_no_jwks_uri'],
    ['a relative jwks_uri', () => ({ issuer, jwks_uri: '/.well-known/jwks.json' }), 'discovery_no_jwks_uri'],
    ['a document that is not JSON', () => '<html>login</html>', 'discovery_not_json'],
    ['a JSON array', () => [issuer, jwksUri], 'discovery_not_json'],
    ['an oversized document (over 64 KiB)', () => ({ issuer, jwks_uri: jwksUri, padding: 'x'.repeat(100 * 1024) }), 'discovery_too_large'],
  ];
  test.each(cases)('%s', async (_name, body, reason) => {
    idp.discovery.body = body();
    await withProcess(async (proc) => {
      const setsBefore = idp.requests;
      expect(await decide(proc)).toMatchObject({ decision: 'deny', reason: 'keys_unavailable' });
      expect(discoveryProblems(proc)).toEqual([reason]);
      expect(idp.requests).toBe(setsBefore);
      expect(proc.logs()).not.toContain('padding');
    });
  });
});

describe('an unavailable discovery endpoint', () => {
  test('down: deny at once, then recover after the fetch back-off', async () => {
    idp.discovery.status = 503;
    await withProcess(async (proc) => {
      const started = Date.now();
      expect(await decide(proc)).toMatchObject({ decision: 'deny', reason: 'keys_unavailable' });
      expect(Date.now() - started).toBeLessThan(1000);
      // Within the back-off, no second request reaches the endpoint.
      const before = idp.discovery.requests;
      expect(await decide(proc)).toMatchObject({ decision: 'deny', reason: 'keys_unavailable' });
      expect(idp.discovery.requests).toBe(before);
      idp.discovery.status = 200;
      await sleep(1100);
      expect(await decide(proc)).toMatchObject({ decision: 'allow' });
      expect(discoveryProblems(proc)).toEqual(['discovery_http_status']);
    });
  });

  test('slow: deny at the key fetch deadline, then recover', async () => {
    idp.discovery.delayMs = 3000;
    await withProcess(async (proc) => {
      const started = Date.now();
      expect(await decide(proc)).toMatchObject({ decision: 'deny', reason: 'keys_unavailable' });
      expect(Date.now() - started).toBeLessThan(1500);
      idp.discovery.delayMs = 0;
      await sleep(1100);
      expect(await decide(proc)).toMatchObject({ decision: 'allow' });
      expect(discoveryProblems(proc)).toEqual(['discovery_timeout']);
    });
  });

  test('one deadline covers the document and the set: each within it alone, both together past it, is a deny', async () => {
    idp.discovery.delayMs = 600;
    idp.delayMs = 600;
    try {
      await withProcess(async (proc) => {
        // 600 ms + 600 ms: each request alone is within the 1000 ms deadline, both are not.
        expect(await decide(proc)).toMatchObject({ decision: 'deny', reason: 'keys_unavailable' });
        expect(discoveryProblems(proc)).toEqual([]); // the document itself arrived in time
      }, { KEY_FETCH_TIMEOUT_MS: '1000' });
      // The same delays within a deadline that covers both: allowed.
      await withProcess(async (proc) => {
        expect(await decide(proc)).toMatchObject({ decision: 'allow' });
      }, { KEY_FETCH_TIMEOUT_MS: '3000' });
    } finally {
      idp.delayMs = 0;
    }
  });

  test('a key set that cannot be fetched makes the next fetch read the document again', async () => {
    await withProcess(async (proc) => {
      expect(await decide(proc)).toMatchObject({ decision: 'allow' });
      const before = idp.discovery.requests;
      idp.status = 404; // the provider moved its keys
      await sleep(1100);
      expect(await decide(proc, rsa)).toMatchObject({ decision: 'allow' }); // still within the TTL: cached set
      expect(await decide(proc, newKey('rotated-key', 'ES256'))).toMatchObject({ decision: 'deny', reason: 'keys_unavailable' });
      idp.status = 200;
      await sleep(1100);
      expect(await decide(proc, newKey('rotated-key-2', 'ES256'))).toMatchObject({ decision: 'deny', reason: 'unknown_kid' });
      expect(idp.discovery.requests - before).toBe(1);
    });
  });
});

describe('a discovery configuration the handler refuses (every request denied config_invalid)', () => {
  const cases: Array<[string, () => Record<string, string>]> = [
    ['an issuer URL other than JWT_ISSUER', () => ({ JWT_ISSUER: `${issuer}/other` })],
    ['an http issuer URL', () => ({ JWT_OIDC_ISSUER_URL: issuer.replace('https:', 'http:'), JWT_ISSUER: issuer.replace('https:', 'http:') })],
    ['an issuer URL with a query', () => ({ JWT_OIDC_ISSUER_URL: `${issuer}?tenant=a`, JWT_ISSUER: `${issuer}?tenant=a` })],
    ['both a JWKS URL and an issuer URL', () => ({ JWT_JWKS_URL: jwksUri })],
  ];
  test.each(cases)('%s', async (_name, extra) => {
    await withProcess(async (proc) => {
      expect(await decide(proc)).toMatchObject({ decision: 'deny', reason: 'config_invalid' });
    }, extra());
  });
});
