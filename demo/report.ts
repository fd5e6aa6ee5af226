/**
 * The security report `npm run demo` prints: resources per construct, findings per cdk-nag
 * pack (unacknowledged and acknowledged), and each acknowledgement with its reason.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
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

function ancestors(c: IConstruct): IConstruct[] {
  const out: IConstruct[] = [];
  for (let s = c.node.scope; s; s = s.node.scope) out.push(s);
  return out;
}
