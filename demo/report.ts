/**
 * The security report `npm run demo` prints: resources per construct, findings per cdk-nag
 * pack (unacknowledged and acknowledged), and each acknowledgement with its reason, grouped by
 * resource and reason so that a reason several packs share is printed once.
 */
import { CfnOutput, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, IConstruct } from 'constructs';
import * as library from '../src';
import { Acknowledgement, NAG_PACKS, acknowledgements, nagFindings } from '../test/helpers/nag';

/** Every construct class the library exports, so the report can find them anywhere in the tree. */
const LIBRARY_CONSTRUCTS: Array<abstract new (...args: never[]) => IConstruct> = (Object.values(library) as unknown[]).filter(
  (v): v is abstract new (...args: never[]) => IConstruct => typeof v === 'function' && v.prototype instanceof Construct,
);

export interface SecurityReport {
  readonly text: string;
  readonly unacknowledged: number;
}

export function securityReport(stack: Stack): SecurityReport {
  const lines: string[] = [];
  lines.push(`Security report for ${stack.stackName}`, '');

  lines.push('Resources per construct (nested library constructs indented):');
  for (const c of stack.node.findAll()) {
    const type = LIBRARY_CONSTRUCTS.find((k) => c instanceof k);
    if (!type) continue;
    const depth = ancestors(c).filter((a) => LIBRARY_CONSTRUCTS.some((k) => a instanceof k)).length;
    const count = c.node.findAll().filter((r) => CfnResource.isCfnResource(r)).length;
    const label = `${'  '.repeat(depth)}${type.name}`;
    lines.push(`  ${label.padEnd(34)} ${String(count).padStart(4)}  ${c.node.path}`);
  }

  for (const trail of stack.node.findAll().filter((c): c is library.SecurityAuditTrail => c instanceof library.SecurityAuditTrail)) {
    lines.push('', `CIS alarms of ${trail.node.path} (${trail.controlIds.length}, metric filters byte-exact; control: alarm metric):`);
    const alarms = trail.controlIds.map((id) => `${id}: ${(trail.alarm(id).metric as { metricName?: string }).metricName}`);
    for (let i = 0; i < alarms.length; i += 3) lines.push(`  ${alarms.slice(i, i + 3).join(', ')}`);
  }

  for (const api of stack.node.findAll().filter((c): c is library.HardenedRestApi => c instanceof library.HardenedRestApi)) {
    lines.push('', `Public routes of ${api.node.path} (no authorizer; every other method has one, checked at synth):`);
    if (api.publicRoutes.length === 0) lines.push('  (none)');
    for (const r of api.publicRoutes) lines.push(`  ${`${r.httpMethod} ${r.path}`.padEnd(24)} reason: ${r.reason}`);
    lines.push(...urlLines(stack, 'endpoint', api.restApi.url));
  }

  for (const ring of stack.node.findAll().filter((c): c is library.RotatingJwtSecret => c instanceof library.RotatingJwtSecret)) {
    if (!ring.jwksUrl) continue;
    lines.push('', `Published JWKS of ${ring.node.path} (${ring.algorithm}; public keys of current, next and unexpired previous):`);
    lines.push(...urlLines(stack, 'url', ring.jwksUrl));
    lines.push('  readable by principals given grantReadPublicKeys (s3:GetObject on that object only); not public');
    for (const authz of stack.node.findAll().filter((c): c is library.JwtAuthorizer => c instanceof library.JwtAuthorizer)) {
      const fn = authz.function.node.defaultChild as lambda.CfnFunction;
      const vars = (stack.resolve(fn.environment) as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
      if (JSON.stringify(vars.JWT_JWKS_BUCKET) === JSON.stringify(stack.resolve(ring.jwksBucket!.bucketName))) {
        lines.push(`  verified by ${authz.node.path}: reads that JWKS only, no permission on the secret or its key`);
      }
    }
  }

  const findings = nagFindings(stack);
  const acks = acknowledgements(stack);
  const packs = NAG_PACKS.map((makePack) => makePack().readPackName);
  lines.push('', 'cdk-nag findings per pack (unacknowledged / acknowledged):');
  for (const pack of packs) {
    const open = findings.filter((f) => f.pack === pack).length;
    const acked = acks.filter((a) => a.id.startsWith(`${pack}-`)).length;
    lines.push(`  ${pack.padEnd(20)} ${String(open).padStart(4)} / ${acked}`);
  }
  for (const f of findings) lines.push(`  UNACKNOWLEDGED ${f.ruleId} at ${f.path}`);

  lines.push('', ...acknowledgementLines(acks, packs));
  lines.push('', findings.length === 0
    ? 'Result: zero unacknowledged findings across AwsSolutions, NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1.'
    : `Result: ${findings.length} unacknowledged finding(s).`);
  return { text: lines.join('\n'), unacknowledged: findings.length };
}

/** Separates a group's findings from their reason (a rule id never holds it). */
export const REASON_SEPARATOR = ' — ';

/**
 * The acknowledgements grouped by resource, then by reason: one line per reason on a resource,
 * naming its rules with the packs that raise them (`LambdaDLQ (NIST.800.53.R5, HIPAA.Security)`),
 * so a reason that three packs share is printed once.
 */
export function acknowledgementLines(acks: readonly Acknowledgement[], packs: readonly string[]): string[] {
  const byPath = new Map<string, Map<string, Map<string, string[]>>>();
  for (const a of acks) {
    const pack = packs.find((p) => a.id.startsWith(`${p}-`)) ?? a.id.split('-')[0];
    const rule = a.id.slice(pack.length + 1);
    const byReason = byPath.get(a.path) ?? new Map<string, Map<string, string[]>>();
    const rules = byReason.get(a.reason) ?? new Map<string, string[]>();
    rules.set(rule, [...(rules.get(rule) ?? []), pack]);
    byReason.set(a.reason, rules);
    byPath.set(a.path, byReason);
  }
  const reasons = [...byPath.values()].reduce((n, r) => n + r.size, 0);
  const out = [`Acknowledgements (${acks.length} findings on ${byPath.size} resources, ${reasons} reasons; ` +
    `each line: rules (packs)${REASON_SEPARATOR}reason):`];
  for (const [path, byReason] of byPath) {
    out.push(`  ${path}`);
    for (const [reason, rules] of byReason) {
      // Rules raised by the same packs share one parenthesis: "APIG4, COG4 (AwsSolutions)".
      const byPacks = new Map<string, string[]>();
      for (const [rule, rulePacks] of rules) {
        const k = rulePacks.join(', ');
        byPacks.set(k, [...(byPacks.get(k) ?? []), rule]);
      }
      const head = [...byPacks].map(([p, r]) => `${r.join(', ')} (${p})`).join('; ');
      out.push(`    ${head}${REASON_SEPARATOR}${reason}`);
    }
  }
  return out;
}

/**
 * A URL as a reader can use it: names and the Region filled in where the template knows them,
 * `<...>` where CloudFormation sets them, and then the stack output that carries the deployed value.
 */
function urlLines(stack: Stack, label: string, url: string): string[] {
  const { text, complete } = readableValue(stack, url);
  if (complete) return [`  ${label}: ${text}`];
  const resolved = JSON.stringify(stack.resolve(url));
  const output = stack.node.findAll().find((c): c is CfnOutput => c instanceof CfnOutput && JSON.stringify(stack.resolve(c.value)) === resolved);
  return [`  ${label}: ${text}`, output
    ? `    deployed value: stack output ${stack.resolve(output.logicalId)} of ${stack.stackName}, in ${regionText(stack)}`
    : '    deployed value: set at deploy; no stack output carries it (add a CfnOutput with this value to read it after deploy)'];
}

function regionText(stack: Stack): string {
  return Token.isUnresolved(stack.region) ? 'the Region it deploys to' : stack.region;
}

/** The L1 property that holds the name a `Ref` returns, for resources whose `Ref` is their name. */
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::S3::Bucket': 'bucketName',
  'AWS::ApiGateway::Stage': 'stageName',
};

/**
 * A deploy-time value as readable text. Known parts are filled in: the stack's Region and URL
 * suffix, a bucket's regional domain name from its literal name (`<name>.s3.<region>.<suffix>`, the
 * form aws-cdk-lib builds for imported buckets). Parts only CloudFormation knows become
 * `<construct path and what, set at deploy>`, and `complete` is false.
 */
export function readableValue(stack: Stack, value: string): { readonly text: string; readonly complete: boolean } {
  let complete = true;
  const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
  const byLogicalId = new Map<string, CfnResource>();
  for (const c of stack.node.findAll()) if (CfnResource.isCfnResource(c)) byLogicalId.set(stack.resolve(c.logicalId) as string, c);
  const unknown = (what: string): string => { complete = false; return `<${what}>`; };
  const pathOf = (id: string): string => {
    const r = byLogicalId.get(id);
    return r ? (r.node.scope?.node.path ?? id).replace(`${stack.node.path}/`, '') : id;
  };
  const literalName = (id: string): string | undefined => {
    const r = byLogicalId.get(id);
    const prop = r ? NAME_PROPERTIES[r.cfnResourceType] : undefined;
    if (!r || !prop) return undefined;
    const name = stack.resolve((r as unknown as Record<string, unknown>)[prop]) as unknown;
    return typeof name === 'string' ? name : undefined;
  };
  const suffix = (): string => (region ? RegionInfo.get(region).domainSuffix ?? unknown('URL suffix') : unknown('URL suffix'));
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if (o.Ref === 'AWS::Region') return region ?? unknown('Region');
    if (o.Ref === 'AWS::URLSuffix') return suffix();
    if (typeof o.Ref === 'string') return literalName(o.Ref) ?? unknown(`${pathOf(o.Ref)} id, set at deploy`);
    if (o['Fn::GetAtt']) {
      const [id, attribute] = o['Fn::GetAtt'] as [string, string];
      if (attribute === 'RegionalDomainName' && byLogicalId.get(id)?.cfnResourceType === 'AWS::S3::Bucket') {
        const name = literalName(id) ?? unknown(`${pathOf(id)} name, set at deploy`);
        return `${name}.s3.${region ?? unknown('Region')}.${suffix()}`;
      }
      return unknown(`${pathOf(id)} ${attribute}, set at deploy`);
    }
    if (o['Fn::Join']) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(sep);
    }
    complete = false;
    return JSON.stringify(v);
  };
  const text = render(stack.resolve(value));
  return { text, complete };
}

function ancestors(c: IConstruct): IConstruct[] {
  const out: IConstruct[] = [];
  for (let s = c.node.scope; s; s = s.node.scope) out.push(s);
  return out;
}
