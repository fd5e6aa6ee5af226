/**
 * The integration tests' probe: one small function that acts as an issuer, a client and an
 * observer in the test stacks, and reports only shapes, statuses and booleans (never a key,
 * and never a token it did not forge on purpose). Runs on the Lambda Node.js runtime, which
 * ships the AWS SDK v3 clients required here.
 */
const crypto = require('crypto');

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/**
 * Signed with the ring's current key and algorithm, as the README's token contract says (an
 * independent issuer): HS256 with the decoded key bytes, ES256 (JOSE r||s) or EdDSA with the
 * PKCS #8 private key. `forge` signs with a fresh random key of the same kind instead.
 */
function sign(ring, claims, forge = false) {
  const alg = ring.algorithm || 'HS256';
  const header = b64url(JSON.stringify({ alg, typ: 'JWT', kid: ring.current.kid }));
  const input = `${header}.${b64url(JSON.stringify(claims))}`;
  if (alg === 'HS256') {
    const key = forge ? crypto.randomBytes(32) : Buffer.from(ring.current.key, 'base64url');
    return `${input}.${b64url(crypto.createHmac('sha256', key).update(input).digest())}`;
  }
  const key = forge
    ? (alg === 'ES256' ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }) : crypto.generateKeyPairSync('ed25519')).privateKey
    : crypto.createPrivateKey({ key: Buffer.from(ring.current.key, 'base64url'), format: 'der', type: 'pkcs8' });
  const sig = alg === 'ES256'
    ? crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
    : crypto.sign(null, Buffer.from(input), key);
  return `${input}.${b64url(sig)}`;
}

/** Whether `token` verifies against `ring` the way a verifier must: kid among current and unexpired previous. */
function verifies(ring, token) {
  const [h, p, s] = token.split('.');
  const { kid } = JSON.parse(Buffer.from(h, 'base64url').toString());
  const now = Date.now();
  const keys = [ring.current, ...(ring.next ? [ring.next] : []), ...(ring.previous || []).filter((k) => Date.parse(k.expiresAt) > now)];
  const entry = keys.find((k) => k.kid === kid);
  if (!entry) return false;
  const expected = crypto.createHmac('sha256', Buffer.from(entry.key, 'base64url')).update(`${h}.${p}`).digest();
  const actual = Buffer.from(s, 'base64url');
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

async function readRing(secretId) {
  const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
  const sm = new SecretsManagerClient({});
  const { SecretString, VersionId } = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
  return { ring: JSON.parse(SecretString), versionId: VersionId };
}

/** The ring's shape and kids: what a reviewer may see. */
function shape(ring) {
  if (ring.bootstrap !== undefined || !ring.current) return { bootstrap: true };
  return {
    bootstrap: false,
    version: ring.version,
    algorithm: ring.algorithm,
    currentKid: ring.current.kid,
    currentKeyBytes: Buffer.from(ring.current.key, 'base64url').length,
    previousKids: (ring.previous || []).map((k) => k.kid),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function claims(role, overrides = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: process.env.ISSUER, aud: process.env.AUDIENCE, sub: 'integ-probe', role, iat: now, exp: now + 300, ...overrides };
}

async function call(url, { method = 'GET', token, headers = {}, body } = {}) {
  const res = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body,
  });
  return { status: res.status, headers: Object.fromEntries(res.headers) };
}

const actions = {
  /** The first rotation has replaced the bootstrap value. */
  async ring() {
    return shape((await readRing(process.env.SECRET_ID)).ring);
  },

  /** A forced rotation changes the kid and keeps a token signed before it verifying. */
  async rotate() {
    const { SecretsManagerClient, RotateSecretCommand, DescribeSecretCommand } = require('@aws-sdk/client-secrets-manager');
    const sm = new SecretsManagerClient({});
    const before = await readRing(process.env.SECRET_ID);
    const token = sign(before.ring, claims('user'));
    await sm.send(new RotateSecretCommand({ SecretId: process.env.SECRET_ID }));
    for (let i = 0; i < 40; i++) {
      const d = await sm.send(new DescribeSecretCommand({ SecretId: process.env.SECRET_ID }));
      const stages = Object.values(d.VersionIdsToStages || {});
      const current = Object.entries(d.VersionIdsToStages || {}).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
      if (current !== before.versionId && !stages.some((s) => s.includes('AWSPENDING'))) break;
      await sleep(3000);
    }
    const after = await readRing(process.env.SECRET_ID);
    return {
      kidChanged: after.ring.current.kid !== before.ring.current.kid,
      oldKidRetired: (after.ring.previous || []).some((k) => k.kid === before.ring.current.kid),
      tokenSignedBeforeVerifies: verifies(after.ring, token),
    };
  },

  /** What the API answers to an allowed role, a forbidden one, no token, a forged one and an injection. */
  async api() {
    const url = process.env.API_URL.replace(/\/$/, '');
    const { ring } = await readRing(process.env.SECRET_ID);
    const user = sign(ring, claims('user'));
    const forged = sign(ring, claims('admin'), true);
    const origin = process.env.ALLOWED_ORIGIN;
    const allowed = await call(`${url}/orders`, { token: user });
    const preflight = await call(`${url}/orders`, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    const noToken = await call(`${url}/orders`, { headers: { origin } });
    return {
      allowedRole: allowed.status,
      forbiddenRole: (await call(`${url}/orders`, { method: 'POST', token: user, body: '{"item":"a"}' })).status,
      noToken: noToken.status,
      forgedToken: (await call(`${url}/orders`, { token: forged })).status,
      sqlInjection: (await call(`${url}/orders?id=1%27%20OR%20%271%27%3D%271`, { token: user })).status,
      rejectedHeaders: pick(noToken.headers, ['strict-transport-security', 'x-content-type-options', 'x-frame-options', 'content-security-policy', 'cache-control', 'access-control-allow-origin']),
      preflight: { status: preflight.status, ...pick(preflight.headers, ['access-control-allow-origin']) },
    };
  },

  /** The authorizer's decisions on a plain RestApi: allowed, forbidden, missing, forged, expired, wrong audience. */
  async authorizer() {
    const url = process.env.API_URL.replace(/\/$/, '');
    const { ring } = await readRing(process.env.SECRET_ID);
    const user = sign(ring, claims('user'));
    const past = Math.floor(Date.now() / 1000) - 3600;
    return {
      allowedRole: (await call(`${url}/orders`, { token: user })).status,
      forbiddenRole: (await call(`${url}/orders`, { method: 'POST', token: user, body: '{}' })).status,
      noToken: (await call(`${url}/orders`)).status,
      forgedToken: (await call(`${url}/orders`, { token: sign(ring, claims('admin'), true) })).status,
      expiredToken: (await call(`${url}/orders`, { token: sign(ring, claims('user', { iat: past, exp: past + 300 })) })).status,
      wrongAudience: (await call(`${url}/orders`, { token: sign(ring, claims('user', { aud: 'another-api' })) })).status,
    };
  },

  /** Access and WAF log lines have arrived, and none carries a token. */
  async logs() {
    const { CloudWatchLogsClient, FilterLogEventsCommand } = require('@aws-sdk/client-cloudwatch-logs');
    const cw = new CloudWatchLogsClient({});
    const read = async (logGroupName) => (await cw.send(new FilterLogEventsCommand({ logGroupName, limit: 100 }))).events || [];
    const access = await read(process.env.ACCESS_LOG_GROUP);
    const waf = await read(process.env.WAF_LOG_GROUP);
    const jwtLike = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\./;
    const wafAuthorization = waf.flatMap((e) => JSON.parse(e.message).httpRequest?.headers || [])
      .filter((h) => h.name.toLowerCase() === 'authorization');
    return {
      accessLogLines: access.length > 0,
      wafLogLines: waf.length > 0,
      tokenInAccessLogs: access.some((e) => jwtLike.test(e.message)),
      tokenInWafLogs: waf.some((e) => jwtLike.test(e.message)),
      wafAuthorizationRedacted: wafAuthorization.length > 0 && wafAuthorization.every((h) => h.value === 'REDACTED'),
    };
  },

  /** What a function granted with LeastPrivilegeLambdaPolicies can and cannot do. */
  async grants() {
    const { SecretsManagerClient, GetSecretValueCommand, PutSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
    const sm = new SecretsManagerClient({});
    const outcome = (p) => p.then(() => 'allowed', (e) => (e.name === 'AccessDeniedException' ? 'denied' : `error:${e.name}`));
    return {
      readGranted: await outcome(sm.send(new GetSecretValueCommand({ SecretId: process.env.GRANTED_SECRET }))),
      writeGranted: await outcome(sm.send(new PutSecretValueCommand({ SecretId: process.env.GRANTED_SECRET, SecretString: 'probe' }))),
      readOther: await outcome(sm.send(new GetSecretValueCommand({ SecretId: process.env.OTHER_SECRET }))),
    };
  },

  /** A CIS-monitored API call: a bucket policy change on the test bucket. */
  async cisEvent() {
    const { S3Client, PutBucketPolicyCommand } = require('@aws-sdk/client-s3');
    const bucket = process.env.EVENT_BUCKET;
    await new S3Client({}).send(new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*',
          Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }],
      }),
    }));
    return { changed: true };
  },

  /** Digest and log files in the archive, and how they are encrypted. */
  async archive() {
    const { S3Client, ListObjectsV2Command, HeadObjectCommand } = require('@aws-sdk/client-s3');
    const s3 = new S3Client({});
    const first = async (infix) => {
      const list = await s3.send(new ListObjectsV2Command({ Bucket: process.env.ARCHIVE_BUCKET, Prefix: 'AWSLogs/' }));
      return (list.Contents || []).find((o) => o.Key.includes(infix));
    };
    const digest = await first('/CloudTrail-Digest/');
    const head = digest ? await s3.send(new HeadObjectCommand({ Bucket: process.env.ARCHIVE_BUCKET, Key: digest.Key })) : undefined;
    return {
      digestDelivered: digest !== undefined,
      digestEncryption: head?.ServerSideEncryption,
      digestKeyIsTrailKey: head?.SSEKMSKeyId === process.env.TRAIL_KEY_ARN,
    };
  },
};

function pick(headers, names) {
  return Object.fromEntries(names.filter((n) => headers[n] !== undefined).map((n) => [n, headers[n]]));
}

exports.handler = async (event) => {
  const action = actions[event.action];
  if (!action) throw new Error(`unknown action ${event.action}`);
  return action();
};
