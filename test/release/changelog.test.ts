import * as fs from 'fs';
import * as path from 'path';
import { changelogSection, mergeChangelog, releasedVersion } from '../../build-tools/release';

const CHANGELOG = fs.readFileSync(path.join(__dirname, '..', '..', 'CHANGELOG.md'), 'utf8');

const EXISTING = [
  '# Changelog',
  '',
  'Intro.',
  '',
  '## [0.2.0](https://example.com/compare/v0.1.0...v0.2.0) (unreleased)',
  '',
  '### Features',
  '',
  '* written by hand',
  '',
  '## [0.1.0](https://example.com/releases/tag/v0.1.0) (2026-12-01)',
  '',
  '* the first',
  '',
].join('\n');

const GENERATED = '## [0.3.0](https://example.com/compare/v0.2.0...v0.3.0) (2026-12-07)\n\n### Bug Fixes\n\n* **rest-api:** a fix\n';

test('a release with an entry written in CHANGELOG.md keeps it, dated, and publishes it as its notes', () => {
  const merged = mergeChangelog(EXISTING, '## [0.2.0] generated from commits\n', '0.2.0', '2026-12-07');
  expect(merged.notes).toBe('## [0.2.0](https://example.com/compare/v0.1.0...v0.2.0) (2026-12-07)\n\n### Features\n\n* written by hand\n');
  expect(merged.changelog).toBe(EXISTING.replace('(unreleased)', '(2026-12-07)'));
});

test('a release without a written entry adds the notes from its commits above the newest entry', () => {
  const merged = mergeChangelog(EXISTING, GENERATED, '0.3.0', '2026-12-07');
  expect(merged.notes).toBe(GENERATED);
  const lines = merged.changelog.split('\n');
  expect(lines.slice(0, 5)).toEqual(['# Changelog', '', 'Intro.', '', GENERATED.split('\n')[0]]);
  expect(changelogSection(merged.changelog, '0.2.0')).toContain('* written by hand');
  expect(changelogSection(merged.changelog, '0.1.0')).toContain('* the first');
});

test('CHANGELOG.md has an entry for the recorded release, with the old props and where they went', () => {
  const entry = changelogSection(CHANGELOG, releasedVersion());
  expect(entry).toBeDefined();
  // The one TypeScript misleads about: its "Did you mean" points at the API's own logging struct.
  expect(entry).toContain('| `wafLogging` | `waf: { logging }` (**not** `logging`) | `waf_logging` | `waf=HardenedRestApiWafOptions(logging=...)`');
  for (const old of ['usagePlanThrottle', 'serverErrorRateThreshold', 'logRetention', 'vpcSubnets']) {
    expect(entry).toContain(`| \`${old}\` |`);
  }
});

interface Prop { readonly name: string; readonly type: { readonly fqn?: string } }
const ASSEMBLY: { types: Record<string, { properties?: Prop[] }> } = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'api', 'released', '.jsii'), 'utf8'),
);
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

test('every row of the migration tables names a prop that is gone and one that exists, in TypeScript and Python', () => {
  const entry = changelogSection(CHANGELOG, releasedVersion())!;
  const tables = entry.split(/^#### /m).filter((part) => /^`\w+` \(`\w+Props`\)/.test(part));
  expect(tables.map((t) => t.split(' ')[0])).toEqual(['`HardenedRestApi`', '`RotatingJwtSecret`', '`JwtAuthorizer`']);
  let rows = 0;
  for (const table of tables) {
    const props = ASSEMBLY.types[`cdk-security-blocks.${/\(`(\w+Props)`\)/.exec(table)![1]}`].properties!;
    const prop = (name: string) => props.find((p) => p.name === name);
    for (const row of table.split('\n').filter((line) => /^\| `\w+` \| `\w+: \{ \w+ \}`/.test(line))) {
      const [, oldTs, outer, inner, oldPy, outerPy, structPy, innerPy] =
        /^\| `(\w+)` \| `(\w+): \{ (\w+) \}`.*?\| `(\w+)` \| `(\w+)=(\w+)\((\w+)=/.exec(row)!;
      expect(prop(oldTs)).toBeUndefined();
      const struct = ASSEMBLY.types[prop(outer)!.type.fqn!];
      expect(struct.properties!.map((p) => p.name)).toContain(inner);
      expect([oldPy, outerPy, innerPy]).toEqual([snake(oldTs), snake(outer), snake(inner)]);
      expect(`cdk-security-blocks.${structPy}`).toBe(prop(outer)!.type.fqn);
      rows++;
    }
  }
  expect(rows).toBe(20 + 4 + 5);
});
