/**
 * Independent verifiers of asymmetric tokens against a published JWKS: `jose.jwtVerify` (in a
 * child process: jose is ESM-only) and PyJWT from .venv. Each answers, per token, whether it
 * verifies; neither sees anything but the JWKS document and the tokens.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { venvTool } from './venv';

const ROOT = path.join(__dirname, '..', '..');

const JOSE_VERIFY = `
import * as jose from 'jose';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const { jwks, tokens, algorithms } = JSON.parse(input);
const keys = jose.createLocalJWKSet(jwks);
const out = [];
for (const token of tokens) {
  try { await jose.jwtVerify(token, keys, { algorithms }); out.push(true); } catch { out.push(false); }
}
process.stdout.write(JSON.stringify(out));
`;

/** Whether each token verifies with jose against `jwks`, accepting only `algorithms`. */
export function verifyWithJose(jwks: unknown, tokens: readonly string[], algorithms: readonly string[]): boolean[] {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', JOSE_VERIFY], {
    cwd: ROOT,
    input: JSON.stringify({ jwks, tokens, algorithms }),
    env: { PATH: process.env.PATH ?? '' },
  });
  return JSON.parse(out.toString('utf8')) as boolean[];
}

const PYJWT_VERIFY = `
import json, sys, jwt
data = json.load(sys.stdin)
keys = {k['kid']: jwt.PyJWK(k) for k in data['jwks']['keys']}
out = []
for token in data['tokens']:
    try:
        kid = jwt.get_unverified_header(token)['kid']
        jwt.decode(token, keys[kid], algorithms=data['algorithms'], options={'verify_aud': False})
        out.append(True)
    except Exception:
        out.append(False)
sys.stdout.write(json.dumps(out))
`;

/** Whether each token verifies with PyJWT against `jwks`, accepting only `algorithms`. */
export function verifyWithPyJwt(jwks: unknown, tokens: readonly string[], algorithms: readonly string[]): boolean[] {
  const out = execFileSync(venvTool('python'), ['-c', PYJWT_VERIFY], {
    input: JSON.stringify({ jwks, tokens, algorithms }),
    env: { PATH: process.env.PATH ?? '' },
  });
  return JSON.parse(out.toString('utf8')) as boolean[];
}

// The README's Python issuer example for asymmetric rings, minus the boto3 read.
const PYJWT_SIGN = `
import base64, json, os, sys, time, jwt
from cryptography.hazmat.primitives.serialization import load_der_private_key
ring = json.loads(sys.stdin.read())
der = base64.urlsafe_b64decode(ring["current"]["key"] + "=" * (-len(ring["current"]["key"]) % 4))
now = int(time.time())
sys.stdout.write(jwt.encode(
    {**json.loads(os.environ["MINT_CLAIMS"]), "iat": now, "exp": now + 900},
    load_der_private_key(der, password=None), algorithm=ring["algorithm"],
    headers={"kid": ring["current"]["kid"], "typ": "JWT"},
))
`;

/** Signs with the ring's current key as the README's Python example does. The ring travels on stdin. */
export function signWithPyJwt(ringJson: string, claims: Record<string, unknown>): string {
  return execFileSync(venvTool('python'), ['-c', PYJWT_SIGN], {
    input: ringJson,
    env: { PATH: process.env.PATH ?? '', MINT_CLAIMS: JSON.stringify(claims) },
  }).toString('utf8').trim();
}
