/**
 * The security report `npm run demo` prints: resources per construct, findings per cdk-nag
 * pack (unacknowledged and acknowledged), and each acknowledgement with its reason.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import * as library from '../src';
import { NAG_PACKS, acknowledgements, nagFindings } from '../test/helpers/nag';

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
    lines.push('', `CIS alarms of ${trail.node.path} (${trail.controlIds.length}, metric filters byte-exact):`);
    for (const id of trail.controlIds) {
      lines.push(`  ${id.padEnd(14)} alarm on metric ${(trail.alarm(id).metric as { metricName?: string }).metricName}`);
    }
  }

  for (const api of stack.node.findAll().filter((c): c is library.HardenedRestApi => c instanceof library.HardenedRestApi)) {
    lines.push('', `Public routes of ${api.node.path} (no authorizer; every other method has one, checked at synth):`);
    if (api.publicRoutes.length === 0) lines.push('  (none)');
    for (const r of api.publicRoutes) lines.push(`  ${`${r.httpMethod} ${r.path}`.padEnd(24)} reason: ${r.reason}`);
  }

  for (const ring of stack.node.findAll().filter((c): c is library.RotatingJwtSecret => c instanceof library.RotatingJwtSecret)) {
    if (!ring.jwksUrl) continue;
    lines.push('', `Published JWKS of ${ring.node.path} (${ring.algorithm}; public keys of current, next and unexpired previous):`);
    lines.push(`  ${deployTimeText(stack, ring.jwksUrl)}`);
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
  lines.push('', 'cdk-nag findings per pack (unacknowledged / acknowledged):');
  for (const makePack of NAG_PACKS) {
    const pack = makePack().readPackName;
    const open = findings.filter((f) => f.pack === pack).length;
    const acked = acks.filter((a) => a.id.startsWith(`${pack}-`)).length;
    lines.push(`  ${pack.padEnd(20)} ${String(open).padStart(4)} / ${acked}`);
  }
  for (const f of findings) lines.push(`  UNACKNOWLEDGED ${f.ruleId} at ${f.path}`);

  lines.push('', `Acknowledgements (${acks.length}):`);
  for (const a of acks) {
    lines.push(`  ${a.id}`, `    at ${a.path}`, `    reason: ${a.reason}`);
  }
  lines.push('', findings.length === 0
    ? 'Result: zero unacknowledged findings across AwsSolutions, NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1.'
    : `Result: ${findings.length} unacknowledged finding(s).`);
  return { text: lines.join('\n'), unacknowledged: findings.length };
}

/** A deploy-time value as readable text: `${LogicalId.Attribute}` for what CloudFormation fills in. */
function deployTimeText(stack: Stack, value: string): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if (o.Ref) return `\${${String(o.Ref)}}`;
    if (o['Fn::GetAtt']) return `\${${(o['Fn::GetAtt'] as string[]).join('.')}}`;
    if (o['Fn::Join']) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(sep);
    }
    return JSON.stringify(v);
  };
  return render(stack.resolve(value));
}

function ancestors(c: IConstruct): IConstruct[] {
  const out: IConstruct[] = [];
  for (let s = c.node.scope; s; s = s.node.scope) out.push(s);
  return out;
}
