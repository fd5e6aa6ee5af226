/**
 * The four-pack cdk-nag v3 gate. Each pack is run with `validateScope`, cdk-nag's own entry
 * point for tests, which honours acknowledgements only on the resource or its ancestors
 * (aws-cdk-lib's synth-time filter matches acknowledged ids app-wide, which would let an
 * acknowledgement on one construct hide the same finding on another).
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, NagPack, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

export const NAG_PACKS: ReadonlyArray<() => NagPack> = [
  () => new AwsSolutionsChecks(),
  () => new NIST80053R5Checks(),
  () => new HIPAASecurityChecks(),
  () => new PCIDSS321Checks(),
];

export interface NagFinding {
  readonly pack: string;
  readonly ruleId: string;
  readonly path: string;
}

/** Every unacknowledged finding of the four packs under `scope` (errors and warnings alike). */
export function nagFindings(scope: IConstruct): NagFinding[] {
  const findings: NagFinding[] = [];
  for (const makePack of NAG_PACKS) {
    const pack = makePack();
    const report = pack.validateScope(scope);
    for (const violation of report.violations) {
      for (const resource of violation.violatingResources) {
        findings.push({ pack: pack.name, ruleId: violation.ruleName, path: resource.constructPath ?? '?' });
      }
    }
  }
  return findings;
}

/** Formats findings one per line, so a failing gate says exactly what to fix. */
export function formatFindings(findings: readonly NagFinding[]): string {
  return findings.map((f) => `${f.pack} ${f.ruleId} at ${f.path}`).join('\n');
}

export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every acknowledgement recorded under `scope`, with the construct path it sits on. */
export function acknowledgements(scope: IConstruct): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const c of scope.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [rawId, reason] of Object.entries(entry.data as Record<string, string>)) {
        const id = rawId.replace(/^annotation::/i, '');
        if (!out.some((a) => a.path === c.node.path && a.id === id)) out.push({ path: c.node.path, id, reason });
      }
    }
  }
  return out;
}

/** Jest-friendly assertion: throws with the list of findings when any is unacknowledged. */
export function expectNoUnacknowledgedFindings(scope: IConstruct): void {
  const findings = nagFindings(scope);
  if (findings.length > 0) {
    throw new Error(`${findings.length} unacknowledged cdk-nag finding(s):\n${formatFindings(findings)}`);
  }
}
