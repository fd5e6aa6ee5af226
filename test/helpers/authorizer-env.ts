/**
 * The environment of an authorizer asset under test against loopback peers: the issuer and
 * audience of jwt-fixtures.ts, one role (`user`) allowed GET /orders, a Region and fake
 * credentials (the loopback endpoints never check a signature), and where a ring's JWKS object is
 * when S3 is a loopback endpoint. METHOD_ARN is a request the role may make.
 */
import { AUDIENCE, ISSUER } from './jwt-fixtures';

export const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/orders';

export const LOOPBACK_AUTHORIZER_ENV: Readonly<Record<string, string>> = {
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: AUDIENCE,
  ROLE_PERMISSIONS: JSON.stringify({ user: ['orders:read'] }),
  PERMISSION_METHODS: JSON.stringify({ 'orders:read': ['GET /orders'] }),
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
};

/** The variables that point assets/authorizer-jwks at a ring's JWKS object served by `s3Endpoint`. */
export function ringJwksEnv(s3Endpoint: string, algorithm: 'ES256' | 'EdDSA'): Record<string, string> {
  return {
    JWT_JWKS_BUCKET: 'jwks-bucket',
    JWT_JWKS_OBJECT_KEY: 'jwks.json',
    JWT_JWKS_BUCKET_REGION: 'us-east-1',
    JWT_ALGORITHMS: algorithm,
    AWS_ENDPOINT_URL_S3: s3Endpoint,
  };
}
