/**
 * Seeded mutation fuzzing: any change to a valid token's text must turn it into a rejected
 * token. The pure core takes the full run; a sample goes through the bundled asset too, so the
 * shipped file (and its event plumbing) is held to the same property.
 * A failure names the seed, mutation kind and index, so it can be replayed exactly.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { AuthorizerConfig, parseConfig } from '../../../lambda-src/authorizer/core';
import { signHs256 } from '../../../lambda-src/jwt/hs256';
import { newKeyRing, serializeKeyRing, verificationKeys } from '../../../lambda-src/key-ring';
import { AssetProcess, startAsset } from '../../helpers/invoke-asset';
import { AUDIENCE, ISSUER, validClaims } from '../../helpers/jwt-fixtures';
import { motoEnv, motoSecretsManager, MotoServer, startMoto } from '../../helpers/moto';
import { prng } from '../../helpers/prng';
import { verifyToken } from '../../helpers/verify-token';

const SEED = 0x5eed2026;
const CORE_RUNS = 2000;
const ASSET_RUNS = 200;

const ENV = {
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: AUDIENCE,
  ROLE_PERMISSIONS: JSON.stringify({ admin: ['any'], user: ['own'] }),
  PERMISSION_METHODS: JSON.stringify({ own: ['GET /users/me'], any: ['GET /users/*', 'PUT /users/*'] }),
};
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123def4/prod/GET/users/me';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const JUNK = `${B64URL}.=+/ \t\n\u0000é\u2028"{}[]`;

type Mutation = (token: string, rnd: () => number) => string;

const int = (rnd: () => number, n: number): number => Math.floor(rnd() * n);
const pick = (rnd: () => number, s: string): string => s[int(rnd, s.length)];

const MUTATIONS: Record<string, Mutation> = {
  replaceChar: (t, rnd) => {
    const i = int(rnd, t.length);
    return t.slice(0, i) + pick(rnd, JUNK) + t.slice(i + 1);
  },
  // Flips one bit of a decoded segment and re-encodes canonically: well-formed, wrong content.
  flipDecodedBit: (t, rnd) => {
    const segs = t.split('.');
    const s = int(rnd, 3);
    const bytes = Buffer.from(segs[s], 'base64url');
    const i = int(rnd, bytes.length);
    bytes[i] = bytes[i] ^ (1 << int(rnd, 8)); // eslint-disable-line no-bitwise
    segs[s] = bytes.toString('base64url');
    return segs.join('.');
  },
  // Re-signs nothing: privilege escalation in the payload must break the signature.
  escalateRole: (t) => {
    const [h, p, s] = t.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    return `${h}.${Buffer.from(JSON.stringify({ ...payload, role: 'admin' })).toString('base64url')}.${s}`;
  },
  swapSegments: (t, rnd) => {
    const segs = t.split('.');
    const a = int(rnd, 3);
    const b = (a + 1 + int(rnd, 2)) % 3;
    [segs[a], segs[b]] = [segs[b], segs[a]];
    return segs.join('.');
  },
  truncate: (t, rnd) => t.slice(0, int(rnd, t.length)),
  insert: (t, rnd) => {
    const i = int(rnd, t.length + 1);
    return t.slice(0, i) + pick(rnd, JUNK) + t.slice(i);
  },
  deleteChar: (t, rnd) => {
    const i = int(rnd, t.length);
    return t.slice(0, i) + t.slice(i + 1);
  },
  duplicateSegment: (t, rnd) => {
    const segs = t.split('.');
    const i = int(rnd, 3);
    segs.splice(i, 0, segs[i]);
    return segs.join('.');
  },
  changeCase: (t, rnd) => {
    const i = int(rnd, t.length);
    const c = t[i];
    const swapped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
    return t.slice(0, i) + swapped + t.slice(i + 1);
  },
};
const KINDS = Object.keys(MUTATIONS);

interface Mutant {
  readonly label: string;
  readonly token: string;
}

/** `runs` mutants of `token`, each 1-3 stacked mutations; mutants equal to the original are skipped. */
function mutants(token: string, runs: number, seed: number): Mutant[] {
  const rnd = prng(seed);
  const out: Mutant[] = [];
  for (let i = 0; out.length < runs; i++) {
    let t = token;
    const applied: string[] = [];
    for (let n = 1 + int(rnd, 3); n > 0; n--) {
      const kind = KINDS[int(rnd, KINDS.length)];
      // Segment-level mutations need three segments to work on.
      if (t.split('.').length !== 3 && ['flipDecodedBit', 'escalateRole', 'swapSegments', 'duplicateSegment'].includes(kind)) continue;
      try {
        t = MUTATIONS[kind](t, rnd);
        applied.push(kind);
      } catch {
        // e.g. escalateRole on a payload that no longer decodes: skip this step
      }
    }
    if (t !== token && applied.length > 0) out.push({ label: `seed ${seed} #${i} [${applied.join('+')}]`, token: t });
  }
  return out;
}

const nowS = Math.floor(Date.now() / 1000);
const ring = newKeyRing(new Date(Date.now() - 60_000));
const key = Buffer.from(ring.current.key, 'base64url');
const claims = validClaims(nowS, { exp: nowS + 900 });
const valid = signHs256(claims, key, ring.current.kid);

function configOf(): AuthorizerConfig {
  const r = parseConfig(ENV);
  if (!r.ok) throw new Error(r.problem);
  return r.config;
}

describe('fuzzing the pure core', () => {
  const config = configOf();
  const now = new Date();
  const keys = verificationKeys(ring, now);

  test('accepts the untouched token', () => {
    expect(verifyToken(valid, keys, now, config).ok).toBe(true);
  });

  test(`rejects every one of ${CORE_RUNS} mutated tokens (seed ${SEED})`, () => {
    const all = mutants(valid, CORE_RUNS, SEED);
    const accepted = all.filter((m) => verifyToken(m.token, keys, now, config).ok).map((m) => m.label);
    expect(accepted).toEqual([]);
    // Every mutation kind was exercised, so the property covers what the file says it covers.
    const used = new Set(all.flatMap((m) => m.label.slice(m.label.indexOf('[') + 1, -1).split('+')));
    expect([...used].sort()).toEqual([...KINDS].sort());
  });
});

describe('fuzzing the bundled asset', () => {
  let moto: MotoServer;
  let authorizer: AssetProcess;

  beforeAll(async () => {
    moto = await startMoto();
    const sm = motoSecretsManager(moto.endpoint);
    await sm.send(new CreateSecretCommand({ Name: 'jwt-keys', SecretString: serializeKeyRing(ring) }));
    sm.destroy();
    authorizer = await startAsset('authorizer', { ...motoEnv(moto.endpoint), ...ENV, JWT_SECRET_ID: 'jwt-keys' }, ['authorizer', 'jwt', 'key-ring']);
  });

  afterAll(async () => {
    await authorizer?.stop();
    await moto?.stop();
  });

  const event = (token: string): Record<string, unknown> => ({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN });

  test(`accepts the untouched token, rejects ${ASSET_RUNS} mutants with Unauthorized, and still accepts it afterwards`, async () => {
    expect((await authorizer.invoke(event(valid))).ok).toBe(true);
    const accepted: string[] = [];
    const otherErrors: string[] = [];
    for (const m of mutants(valid, ASSET_RUNS, SEED + 1)) {
      const out = await authorizer.invoke(event(m.token));
      if (out.ok) accepted.push(m.label);
      else if (out.error?.message !== 'Unauthorized') otherErrors.push(`${m.label}: ${out.error?.message}`);
    }
    expect(accepted).toEqual([]);
    expect(otherErrors).toEqual([]);
    expect((await authorizer.invoke(event(valid))).ok).toBe(true);
  });
});
