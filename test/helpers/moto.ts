/**
 * Starts moto's server (a real HTTP peer, from .venv) on 127.0.0.1 on a free port and stops it
 * at the end. It serves Secrets Manager and S3 (the JWKS of asymmetric rings) on the one port;
 * handlers reach it through the SDK's standard AWS_ENDPOINT_URL_SECRETS_MANAGER and
 * AWS_ENDPOINT_URL_S3 variables, exactly as they would any endpoint override. moto routes a
 * request by the service in its SigV4 signature, so S3 requests to it must be signed.
 */
// ts-node (bench/, which starts moto too) loads only what a file names: aws4's types live here.
/// <reference path="../../lambda-src/rotation/aws4.d.ts" />
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as net from 'net';
import * as path from 'path';
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
// eslint-disable-next-line import/no-extraneous-dependencies
import * as aws4 from 'aws4';
import { newRequestToken } from './rotation-tokens';
import { venvTool } from './venv';

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** A port nobody listens on yet, on 127.0.0.1 (moto, the runtime interface emulator). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not start within ${deadlineMs} ms`);
}

export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  // moto_server with PutSecretValue as Secrets Manager documents it (see moto_server.py).
  const server = path.join(__dirname, 'moto_server.py');
  const child = spawn(venvTool('python'), [server, '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilUp(endpoint, child, 30_000);
  return {
    endpoint,
    port,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** Environment that points the AWS SDK at moto with dummy credentials. */
export function motoEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  };
}

/** A Secrets Manager client of the test itself (seeding, inspecting) talking to `endpoint`. */
export function motoSecretsManager(endpoint: string, region = 'us-east-1'): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint, region, credentials: CREDENTIALS });
}

/**
 * Creates an S3 bucket in moto and returns its name. The request is SigV4-signed (aws4) because
 * moto tells S3 from Secrets Manager on its one port by the service in the signature.
 */
export async function createMotoBucket(endpoint: string, prefix = 'bucket', bucket = `${prefix}-${randomBytes(6).toString('hex')}`): Promise<string> {
  const url = new URL(`${endpoint}/${bucket}`);
  const signed = aws4.sign({ host: url.host, path: url.pathname, method: 'PUT', service: 's3', region: 'us-east-1', body: '' }, CREDENTIALS);
  const res = await fetch(url, { method: 'PUT', headers: signed.headers as Record<string, string> });
  if (res.status !== 200) throw new Error(`moto CreateBucket ${bucket}: HTTP ${res.status}`);
  return bucket;
}

/**
 * Starts a rotation of `secretId` as Secrets Manager does before it invokes the rotation function,
 * and returns its ClientRequestToken: moto labels a new version AWSPENDING under that token, then
 * fails to invoke the (absent) function with ResourceNotFoundException, which is expected here.
 * The test then runs the four steps itself.
 */
export async function beginRotation(sm: SecretsManagerClient, secretId: string): Promise<string> {
  const token = newRequestToken();
  try {
    await sm.send(new RotateSecretCommand({
      SecretId: secretId, ClientRequestToken: token, RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:rotation', RotationRules: { AutomaticallyAfterDays: 30 },
    }));
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return token;
    throw e;
  }
  throw new Error('moto invoked a rotation function: the test runs the steps itself');
}
