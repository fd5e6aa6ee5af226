/**
 * A local OIDC-style issuer for handler tests: serves a JWK Set over HTTPS on 127.0.0.1 with a
 * throw-away self-signed certificate (openssl), which the asset process trusts through
 * NODE_EXTRA_CA_CERTS. So the handler's https-only rule is exercised as shipped, with no test
 * switch in the construct API or the handler. The set, a delay and an outage are settable, and
 * every request is counted. Any path ending in `/.well-known/openid-configuration` is the OIDC
 * discovery document (`discovery`, with its own body, status, delay and count); every other path
 * serves the set.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

export interface ServedDocument {
  /** The document served (a JSON value, or a raw string). */
  body: unknown;
  /** Answer with this status instead of 200. */
  status: number;
  /** Wait this long before answering. */
  delayMs: number;
  /** Requests served (or failed) so far. */
  requests: number;
}

export interface JwksServer {
  readonly url: string;
  /** `https://127.0.0.1:<port>`: prefix of an issuer URL whose discovery document this server serves. */
  readonly origin: string;
  /** The discovery document, served at `<any path>/.well-known/openid-configuration`. */
  readonly discovery: ServedDocument;
  /** The CA file to pass as NODE_EXTRA_CA_CERTS. */
  readonly caFile: string;
  /** The path of every request, discovery and set, in order. */
  readonly paths: string[];
  /** JWKS requests served (or failed) so far. */
  requests: number;
  /** The document served (a JSON value, or a raw string). */
  body: unknown;
  /** Answer with this status instead of 200 (e.g. 503: the endpoint is down). */
  status: number;
  /** Wait this long before answering (a slow endpoint). */
  delayMs: number;
  stop(): Promise<void>;
}

export async function startJwksServer(): Promise<JwksServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jwks-'));
  const keyFile = path.join(dir, 'key.pem');
  const caFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile,
    '-out', caFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  const timers = new Set<NodeJS.Timeout>();
  const server = https.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(caFile) }, (req, res) => {
    const served: Omit<ServedDocument, 'requests'> = (req.url ?? '').endsWith('/.well-known/openid-configuration') ? state.discovery : state;
    state.paths.push(req.url ?? '');
    if (served === state) state.requests++;
    else state.discovery.requests++;
    const answer = (): void => {
      res.writeHead(served.status, { 'content-type': 'application/json' });
      res.end(typeof served.body === 'string' ? served.body : JSON.stringify(served.body));
    };
    if (served.delayMs > 0) {
      const t = setTimeout(() => { timers.delete(t); answer(); }, served.delayMs);
      timers.add(t);
    } else {
      answer();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const state: JwksServer = {
    url: `https://127.0.0.1:${port}/.well-known/jwks.json`,
    origin: `https://127.0.0.1:${port}`,
    paths: [],
    discovery: { body: {}, status: 200, delayMs: 0, requests: 0 },
    caFile,
    requests: 0,
    body: { keys: [] },
    status: 200,
    delayMs: 0,
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return state;
}
