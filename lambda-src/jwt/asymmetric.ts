/**
 * ES256 and EdDSA (Ed25519) signing for asymmetric key rings: the rotation's testSecret check
 * and the Node signing helper. ES256 signatures are JOSE's raw r||s (RFC 7518 section 3.4,
 * `ieee-p1363`), never DER. The algorithm always comes from the ring, never from a token.
 */
import { createPublicKey, KeyObject, sign, verify } from 'crypto';
import { JWT_TYPE } from './hs256';
import type { AsymmetricAlgorithm } from '../key-ring';

function b64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** ES256 hashes with SHA-256; Ed25519 signs the message itself (no digest argument). */
function digestOf(algorithm: AsymmetricAlgorithm): string | null {
  return algorithm === 'ES256' ? 'sha256' : null;
}

/** Signs `claims` with `privateKey` under `kid`. The caller owns the claims (exp, iss, aud, ...). */
export function signAsymmetric(claims: Record<string, unknown>, algorithm: AsymmetricAlgorithm, privateKey: KeyObject, kid: string): string {
  const signingInput = `${b64urlJson({ alg: algorithm, typ: JWT_TYPE, kid })}.${b64urlJson(claims)}`;
  const signature = sign(digestOf(algorithm), Buffer.from(signingInput, 'ascii'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Whether `token`'s signature verifies with the public half of `privateKey` (the rotation's self-check). */
export function asymmetricSignatureMatches(token: string, algorithm: AsymmetricAlgorithm, privateKey: KeyObject): boolean {
  const lastDot = token.lastIndexOf('.');
  return verify(
    digestOf(algorithm),
    Buffer.from(token.slice(0, lastDot), 'ascii'),
    { key: createPublicKey(privateKey), dsaEncoding: 'ieee-p1363' },
    Buffer.from(token.slice(lastDot + 1), 'base64url'),
  );
}
