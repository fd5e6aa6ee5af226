/**
 * The security report `npm run demo` prints: resources per construct, findings per cdk-nag
 * pack (unacknowledged and acknowledged), and each acknowledgement with its reason.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { NAG_PACKS, acknowledgements, nagFindings } from '../test/helpers/nag';

export interface SecurityReport {
  readonly text: string;
  readonly unacknowledged: number;
}

export function securityReport(stack: Stack): SecurityReport {
  const lines: string[] = [];
  lines.push(`Security report for ${stack.stackName}`, '');

  lines.push('Resources per construct:');
  for (const child of stack.node.children) {
    const count = child.node.findAll().filter((c) => CfnResource.isCfnResource(c)).length;
    if (count > 0) lines.push(`  ${child.node.id.padEnd(32)} ${String(count).padStart(4)}  (${constructType(child)})`);
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

function constructType(c: IConstruct): string {
  return c.constructor.name;
}
