import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ApiMethod, HTTP_METHODS } from '../authorizer/authorizer-contract';

/** A method that answers without an authorizer, and why. */
export interface PublicRoute {
  readonly path: string;
  readonly httpMethod: string;
  readonly reason: string;
}

/**
 * Every method of `api` that has no authorizer and was not declared public, as
 * `"GET /health"`. CORS preflight methods (OPTIONS on a resource with CORS options) are public
 * by nature: browsers send them without credentials.
 */
export function unauthorizedMethods(api: apigateway.RestApi, declaredPublic: readonly PublicRoute[]): string[] {
  const out: string[] = [];
  for (const method of api.methods) {
    const cfn = method.node.defaultChild as apigateway.CfnMethod;
    const type = cfn.authorizationType ?? 'NONE';
    if (type !== 'NONE') continue;
    if (isCorsPreflight(method)) continue;
    if (declaredPublic.some((p) => p.path === method.resource.path && p.httpMethod === method.httpMethod)) continue;
    out.push(`${method.httpMethod} ${method.resource.path}`);
  }
  return out;
}

export function isCorsPreflight(method: apigateway.Method): boolean {
  return method.httpMethod === 'OPTIONS' && method.resource.defaultCorsPreflightOptions !== undefined;
}

/**
 * Methods that use the JWT authorizer but that no role of the map grants: every caller would get
 * 403, which is a configuration mistake, not a policy. A resource path `{id}` segment stands for
 * any one segment, `{proxy+}` for any rest of the path; an `ANY` method is reachable if any verb is.
 */
export function unreachableMethods(
  api: apigateway.RestApi, roleMethods: ReadonlyMap<string, readonly ApiMethod[]>, isPublic: (m: apigateway.Method) => boolean,
): string[] {
  const granted = [...roleMethods.values()].flat();
  const out: string[] = [];
  for (const method of api.methods) {
    if (isPublic(method) || isCorsPreflight(method)) continue;
    const verbs = method.httpMethod === 'ANY' ? HTTP_METHODS : [method.httpMethod];
    const reachable = granted.some((g) => verbs.includes(g.method) && pathsMayOverlap(g.path, method.resource.path));
    if (!reachable) out.push(`${method.httpMethod} ${method.resource.path}`);
  }
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Role-map path (`*` matches anything, `/` included) as a regex. */
function globRegex(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map(escape).join('.*')}$`);
}

/** Resource path (`{id}` one segment, `{proxy+}` the rest) as a regex. */
function templateRegex(template: string): RegExp {
  const body = template.split('/').map((seg) => {
    if (/^\{[^}]+\+\}$/.test(seg)) return '.+';
    if (/^\{[^}]+\}$/.test(seg)) return '[^/]+';
    return escape(seg);
  }).join('/');
  return new RegExp(`^${body}$`);
}

/**
 * Whether some request path is both granted by `glob` and routed to `template`. Decided on
 * sample paths from each side (a `*` or a parameter filled with a segment of the other side, or
 * a placeholder); a miss is only reported when no sample of either side fits the other.
 */
export function pathsMayOverlap(glob: string, template: string): boolean {
  const globRe = globRegex(glob);
  const templateRe = templateRegex(template);
  const fillers = ['x', ...template.split('/'), ...glob.split('/')].filter((s) => s !== '' && !s.includes('*') && !s.includes('{'));
  for (const filler of fillers) {
    const fromTemplate = template.replace(/\{[^}]+\}/g, filler);
    if (globRe.test(fromTemplate)) return true;
    const fromGlob = glob.replace(/\*/g, filler);
    if (templateRe.test(fromGlob)) return true;
  }
  return false;
}
