import { AspectPriority, Aspects, CfnResource, IAspect, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** A cdk-nag major version whose users must see an acknowledgement. */
export type NagMajor = 2 | 3;

export interface AcknowledgeOptions {
  /**
   * The cdk-nag majors that raise this finding. v2 has rules v3 dropped (and the reverse), and an
   * acknowledgement of a finding that never fires is a promise nobody can check.
   *
   * @default [2, 3]
   */
  readonly majors?: readonly NagMajor[];
}

/**
 * Records a cdk-nag acknowledgement on the narrowest construct it concerns. Every
 * acknowledgement in the library goes through here, so a test can check that each names an
 * exact finding (`Rule-Id` or `Rule-Id[Finding]`) and carries a reason.
 *
 * cdk-nag v3 reads `Validations` metadata on the construct or any ancestor; cdk-nag v2 reads
 * `cdk_nag` metadata on each CfnResource. Both are written, so users of either major see the
 * same acknowledgement without the library depending on cdk-nag at run time.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string, options: AcknowledgeOptions = {}): void {
  const majors = options.majors ?? [2, 3];
  if (majors.includes(3)) acknowledgeV3(scope, id, reason);
  if (majors.includes(2)) NagV2Suppressions.of(scope).add(toV2Suppression(id, reason));
}

function acknowledgeV3(scope: IConstruct, id: string, reason: string): void {
  if (id.split('::').length <= 2) {
    Validations.of(scope).acknowledge({ id, reason });
    return;
  }
  // aws-cdk-lib 2.257 rejects ids with more than one '::', yet cdk-nag names findings on
  // tokenized ARNs that way (`...[Resource::arn:<AWS::Partition>:...]`). Record the same
  // metadata entry that `acknowledge` writes, which is what cdk-nag reads.
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
}

/** One entry of cdk-nag v2's `cdk_nag.rules_to_suppress`, in the key order v2 itself writes. */
export interface NagV2Suppression {
  readonly reason: string;
  readonly id: string;
  readonly applies_to?: string[];
  readonly is_reason_encoded?: boolean;
}

/** `Rule-Id[Finding]` (v3) is `{ id: 'Rule-Id', applies_to: ['Finding'] }` in v2, which rejects brackets in `id`. */
export function toV2Suppression(id: string, reason: string): NagV2Suppression {
  const open = id.indexOf('[');
  const rule = open < 0 ? id : id.slice(0, open);
  const finding = open < 0 ? undefined : id.slice(open + 1, id.lastIndexOf(']'));
  // v2 stores reasons with characters above U+00FF base64-encoded and flags them.
  const encode = [...reason].some((c) => (c.codePointAt(0) ?? 0) > 255);
  return {
    reason: encode ? Buffer.from(reason).toString('base64') : reason,
    id: rule,
    ...(finding !== undefined ? { applies_to: [finding] } : {}),
    ...(encode ? { is_reason_encoded: true } : {}),
  };
}

/**
 * cdk-nag v2 honours a suppression only on the CfnResource that carries it, and its own
 * `applyToChildren` copies it to the CfnResources that exist at that moment. Constructs here
 * gain CfnResources after the acknowledgement (default policies, log groups, permissions), so an
 * Aspect copies the suppressions at synth time instead. It runs at `AspectPriority.MUTATING`,
 * before cdk-nag v2's packs (added with the default priority) visit the same node.
 */
export class NagV2Suppressions implements IAspect {
  /** The suppressions recorded on `scope`, creating (and registering) the Aspect on first use. */
  public static of(scope: IConstruct): NagV2Suppressions {
    const existing = Aspects.of(scope).all.find((a): a is NagV2Suppressions => a instanceof NagV2Suppressions);
    if (existing) return existing;
    const created = new NagV2Suppressions();
    Aspects.of(scope).add(created, { priority: AspectPriority.MUTATING });
    return created;
  }

  private readonly entries: NagV2Suppression[] = [];

  private constructor() {}

  /** What this scope suppresses, for the audit that each matches a real finding. */
  public get suppressions(): readonly NagV2Suppression[] {
    return this.entries;
  }

  public add(suppression: NagV2Suppression): void {
    if (!this.entries.some((s) => JSON.stringify(s) === JSON.stringify(suppression))) this.entries.push(suppression);
  }

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    const current = (node.getMetadata('cdk_nag') as { rules_to_suppress?: NagV2Suppression[] } | undefined)?.rules_to_suppress ?? [];
    // Same merge as v2's NagSuppressions: by serialized value, so a synth run twice adds nothing.
    const merged = [...new Set([...current, ...this.entries].map((s) => JSON.stringify(s)))].map((s) => JSON.parse(s));
    node.addMetadata('cdk_nag', { rules_to_suppress: merged });
  }
}
