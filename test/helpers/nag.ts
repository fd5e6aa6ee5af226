/**
 * The four-pack cdk-nag gates, one per major.
 *
 * v3: each pack is run with `validateScope`, cdk-nag's own entry point for tests, which honours
 * acknowledgements only on the resource or its ancestors (aws-cdk-lib's synth-time filter matches
 * acknowledged ids app-wide, which would let an acknowledgement on one construct hide the same
 * finding on another).
 *
 * v2: the packs run as Aspects during a real synth, as a v2 user's `Aspects.of(app).add(...)`
 * runs them, so the library's suppressions must already be on each CfnResource by then.
 */
import { Aspects, IAspect, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, NagPack, PCIDSS321Checks } from 'cdk-nag';
import * as nagV2 from 'cdk-nag-v2';
import { IConstruct } from 'constructs';
import { NagV2Suppression, NagV2Suppressions } from '../../src/shared/acknowledge';

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

// --- cdk-nag v2 -------------------------------------------------------------------------------

const NAG_V2_PACKS: ReadonlyArray<(props: nagV2.NagPackProps) => nagV2.NagPack> = [
  (p) => new nagV2.AwsSolutionsChecks(p),
  (p) => new nagV2.NIST80053R5Checks(p),
  (p) => new nagV2.HIPAASecurityChecks(p),
  (p) => new nagV2.PCIDSS321Checks(p),
];

/** Records what v2's AnnotationLogger turns into error and warning annotations. */
class FindingRecorder implements nagV2.INagLogger {
  public readonly findings: NagFinding[] = [];
  public onNonCompliance(d: nagV2.NagLoggerNonComplianceData): void {
    if (d.ruleLevel === nagV2.NagMessageLevel.INFO) return;
    this.findings.push({ pack: d.nagPackName, ruleId: d.findingId ? `${d.ruleId}[${d.findingId}]` : d.ruleId, path: d.resource.node.path });
  }
  public onError(d: nagV2.NagLoggerErrorData): void {
    // v2 reports a rule that cannot evaluate a resource as a CdkNagValidationFailure warning.
    this.findings.push({ pack: d.nagPackName, ruleId: `CdkNagValidationFailure[${d.ruleId}]`, path: d.resource.node.path });
  }
  public onCompliance(): void {}
  public onSuppressed(): void {}
  public onSuppressedError(): void {}
  public onNotApplicable(): void {}
}

export interface NagV2Options {
  /** Report suppressed findings too (v2's own switch that ignores every suppression). */
  readonly ignoreSuppressions?: boolean;
}

/**
 * Every finding (errors and warnings) of the four cdk-nag v2 packs on the CfnResources under
 * `scope`, with the packs added as Aspects on `scope` and the app synthesized again.
 */
export function nagV2Findings(scope: IConstruct, options: NagV2Options = {}): NagFinding[] {
  const recorder = new FindingRecorder();
  const props: nagV2.NagPackProps = {
    reports: false,
    additionalLoggers: [recorder],
    suppressionIgnoreCondition: options.ignoreSuppressions ? new nagV2.SuppressionIgnoreAlways('audit') : undefined,
  };
  // Aspects cannot be removed; a disarmed wrapper keeps later synths of the same app unchanged.
  let armed = true;
  for (const make of NAG_V2_PACKS) {
    const pack = make(props);
    const once: IAspect = { visit: (node) => { if (armed) pack.visit(node); } };
    Aspects.of(scope).add(once);
  }
  try {
    Stage.of(scope)!.synth({ force: true, skipValidation: true });
  } finally {
    armed = false;
  }
  return recorder.findings;
}

/** Jest-friendly assertion for the v2 gate. */
export function expectNoUnacknowledgedV2Findings(scope: IConstruct): void {
  const findings = nagV2Findings(scope);
  if (findings.length > 0) {
    throw new Error(`${findings.length} unacknowledged cdk-nag v2 finding(s):\n${formatFindings(findings)}`);
  }
}

export interface V2Acknowledgement {
  readonly path: string;
  readonly suppression: NagV2Suppression;
  /** The reason as a reader sees it (v2 base64-encodes reasons with characters above U+00FF). */
  readonly reason: string;
}

/** Every v2 suppression the library recorded under `scope`, on the construct it was made on. */
export function acknowledgementsV2(scope: IConstruct): V2Acknowledgement[] {
  return scope.node.findAll().flatMap((c) => Aspects.of(c).all
    .filter((a): a is NagV2Suppressions => a instanceof NagV2Suppressions)
    .flatMap((a) => a.suppressions.map((suppression) => ({
      path: c.node.path,
      suppression,
      reason: suppression.is_reason_encoded ? Buffer.from(suppression.reason, 'base64').toString() : suppression.reason,
    }))));
}
