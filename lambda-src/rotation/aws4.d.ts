// The part of aws4's API (https://github.com/mhart/aws4) that the rotation handler's JWKS upload
// (jwks-publisher.ts) and the tests use; aws4 ships no types. The authorizer signs with its own sigv4.ts.
declare module 'aws4' {
  interface Request {
    host?: string;
    path?: string;
    method?: string;
    service?: string;
    region?: string;
    body?: string;
    headers?: Record<string, string | number>;
  }
  interface Credentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }
  export function sign<T extends Request>(request: T, credentials?: Credentials): T & { headers: Record<string, string | number> };
}
