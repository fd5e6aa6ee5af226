/**
 * An acknowledgement is a promise broken by default, so each one must name an exact finding
 * that really fires where it sits, and carry a reason a reviewer can check.
 */
import * as fs from 'fs';
import * as path from 'path';
import { NagPack } from 'cdk-nag';
import { buildDemoApp } from '../demo/demo-app';
import { acknowledgements, acknowledgementsV2, nagFindings, nagV2Findings } from './helpers/nag';

const RULE_ID = /^(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-[A-Za-z0-9]+(\[[^\]]+\])?$/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []);
}

describe('acknowledgements in src/', () => {
  const { stack } = buildDemoApp();
  const acks = acknowledgements(stack);

  // Findings as they would be with no acknowledgement at all.
  const spy = jest.spyOn(NagPack.prototype as unknown as { isAcknowledged: () => boolean }, 'isAcknowledged').mockReturnValue(false);
  const raw = nagFindings(stack);
  spy.mockRestore();
  const rawV2 = nagV2Findings(stack, { ignoreSuppressions: true });
  const acksV2 = acknowledgementsV2(stack).map((a) => ({
    ...a,
    // The v3 spelling of the same finding, to compare with v2's findings.
    id: a.suppression.applies_to ? `${a.suppression.id}[${a.suppression.applies_to[0]}]` : a.suppression.id,
  }));

  test('the demo app makes at least one acknowledgement (so the checks below run)', () => {
    expect(acks.length).toBeGreaterThan(0);
  });

  test.each(acks.map((a) => [`${a.id} at ${a.path}`, a] as const))('%s names an exact rule id of the four packs', (_n, ack) => {
    expect(ack.id).toMatch(RULE_ID);
  });

  test.each(acks.map((a) => [`${a.id} at ${a.path}`, a] as const))('%s acknowledges a finding that fires on that construct', (_n, ack) => {
    const hits = raw.filter((f) => f.ruleId === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
    expect(hits.length).toBeGreaterThan(0);
  });

  test('the demo app makes cdk-nag v2 suppressions too (so the checks below run)', () => {
    expect(acksV2.length).toBeGreaterThan(0);
  });

  test.each(acksV2.map((a) => [`${a.id} at ${a.path}`, a] as const))('v2 suppression %s names one rule id and at most one exact finding', (_n, ack) => {
    expect(ack.id).toMatch(RULE_ID);
    expect(ack.suppression.id).not.toContain('[');
    expect(ack.suppression.applies_to?.length ?? 1).toBe(1);
    expect(ack.suppression.is_reason_encoded).toBeUndefined();
  });

  test.each(acksV2.map((a) => [`${a.id} at ${a.path}`, a] as const))('v2 suppression %s matches a cdk-nag v2 finding on that construct', (_n, ack) => {
    const hits = rawV2.filter((f) => f.ruleId === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)));
    expect(hits.length).toBeGreaterThan(0);
  });

  test.each(acksV2.map((a) => [`${a.id} at ${a.path}`, a] as const))('v2 suppression %s gives a reason a reviewer can check', (_n, ack) => {
    expect(ack.suppression.reason.length).toBeGreaterThanOrEqual(60);
  });

  test('a v2 suppression that twins a v3 acknowledgement carries the same reason', () => {
    // v2-only suppressions (majors: [2]) have no twin; the others must say the same thing to both majors.
    for (const v2 of acksV2) {
      const twin = acks.find((a) => a.path === v2.path && a.id === v2.id);
      if (twin) expect(v2.suppression.reason).toBe(twin.reason);
    }
  });

  test.each(acks.map((a) => [`${a.id} at ${a.path}`, a] as const))('%s gives a reason a reviewer can check', (_n, ack) => {
    expect(ack.reason.length).toBeGreaterThanOrEqual(60);
    expect(ack.reason).not.toMatch(/^(ok|n\/a|not needed|false positive|todo)\.?$/i);
  });

  test('every acknowledgement in src/ goes through the acknowledge() helper', () => {
    const offenders = sourceFiles(path.join(__dirname, '..', 'src'))
      .filter((f) => !f.endsWith(path.join('private', 'acknowledge.ts')))
      .filter((f) => {
        // Reading acknowledgements (the checker honours them) is fine; making one is not.
        const code = fs.readFileSync(f, 'utf8').split('\n').filter((l) => !/^\s*(\*|\/\/)/.test(l)).join('\n');
        return /\.acknowledge\(|addMetadata\(\s*Validations\.ACKNOWLEDGED_RULES_METADATA_KEY/.test(code);
      });
    expect(offenders).toEqual([]);
  });

  test('a stack-wide acknowledgement is never made: each sits below the construct it concerns', () => {
    for (const ack of acks) expect(ack.path.split('/').length).toBeGreaterThan(2);
  });
});
