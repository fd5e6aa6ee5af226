import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/**
 * Headers every error response carries. Static values are single-quoted, as API Gateway wants;
 * API Gateway strips only the enclosing quotes, so the CSP keeps its inner `'none'`.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': "'max-age=31536000; includeSubDomains'",
  'X-Content-Type-Options': "'nosniff'",
  'X-Frame-Options': "'DENY'",
  'Content-Security-Policy': "'default-src 'none'; frame-ancestors 'none''",
  'Cache-Control': "'no-store'",
};

export interface CorsForErrors {
  readonly allowOrigins: readonly string[];
  readonly allowCredentials: boolean;
}

/**
 * The CORS headers of an error response, so that a browser shows the caller the real status
 * (401, 403, 429, 5XX) instead of an opaque CORS failure.
 *
 * One origin (or `*`) is a static value. With several, API Gateway cannot pick the matching one
 * in a gateway response, so the request's `Origin` is echoed with `Vary: Origin` and without
 * `Access-Control-Allow-Credentials`: the generic body is readable cross-origin, but no
 * credentialed response is ever exposed to an origin that was not allowed.
 */
export function corsErrorHeaders(cors: CorsForErrors): Record<string, string> {
  if (cors.allowOrigins.length === 0) return {};
  if (cors.allowOrigins.length === 1) {
    const origin = cors.allowOrigins[0];
    return {
      'Access-Control-Allow-Origin': `'${origin}'`,
      ...(origin === '*' ? {} : { Vary: "'Origin'" }),
      ...(cors.allowCredentials ? { 'Access-Control-Allow-Credentials': "'true'" } : {}),
    };
  }
  return {
    'Access-Control-Allow-Origin': 'method.request.header.Origin',
    'Vary': "'Origin'",
  };
}

/** Generic bodies: API Gateway's own short message and the request id, never integration output. */
const CLIENT_ERROR_BODY = '{"message":$context.error.messageString,"requestId":"$context.requestId"}';
const SERVER_ERROR_BODY = '{"message":"Internal server error","requestId":"$context.requestId"}';

/** DEFAULT_4XX and DEFAULT_5XX with generic bodies, the security headers and the CORS headers. */
export function addGatewayResponses(api: apigateway.RestApi, cors: CorsForErrors): apigateway.GatewayResponse[] {
  const responseHeaders = { ...SECURITY_HEADERS, ...corsErrorHeaders(cors) };
  return [
    api.addGatewayResponse('Default4xx', {
      type: apigateway.ResponseType.DEFAULT_4XX,
      responseHeaders,
      templates: { 'application/json': CLIENT_ERROR_BODY },
    }),
    api.addGatewayResponse('Default5xx', {
      type: apigateway.ResponseType.DEFAULT_5XX,
      responseHeaders,
      templates: { 'application/json': SERVER_ERROR_BODY },
    }),
  ];
}
