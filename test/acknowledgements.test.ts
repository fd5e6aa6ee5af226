/**
 * An acknowledgement is a promise broken by default, so each one must name an exact finding
 * that really fires where it sits, and carry a reason a reviewer can check.
 */
import * as fs from 'fs';
import * as path from 'path';
import { NagPack } from 'cdk-nag';
import { buildDemoApp } from '../demo/demo-app';
import { acknowledgements, nagFindings } from './helpers/nag';

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
