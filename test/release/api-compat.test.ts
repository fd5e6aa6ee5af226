import * as fs from 'fs';
import * as path from 'path';
import { compareApis } from '../../build-tools/api-compat';
import { BASELINE_DIR, writeBaseline } from '../../build-tools/release';

// The gate of the ci task (build-tools/api-compat.ts) on assemblies made from the committed
// baseline: unchanged it passes, a removed prop and a newly required prop fail it by name, and a
// break listed in the allowed file passes. The copies sit in .tools/ (ignored), inside the repo so
// that jsii-diff resolves aws-cdk-lib and constructs from node_modules, as it does for api/released/.
const WAF = 'cdk-security-blocks.HardenedRestApiWafOptions';
const SECRET = 'cdk-security-blocks.RotatingJwtSecretProps';

interface Property { readonly name: string; optional?: boolean }
interface Assembly { readonly types: Record<string, { properties: Property[] }> }

let work: string;

/** A package directory holding the baseline assembly after `change`. */
function packageWith(name: string, change: (assembly: Assembly) => void = () => {}): string {
  const assembly: Assembly = JSON.parse(fs.readFileSync(path.join(BASELINE_DIR, '.jsii'), 'utf8'));
  change(assembly);
  const file = path.join(work, `${name}.jsii`);
  fs.writeFileSync(file, JSON.stringify(assembly));
  writeBaseline(file, path.join(work, name));
  return path.join(work, name);
}

function removedWafLogging(assembly: Assembly): void {
  const waf = assembly.types[WAF];
  waf.properties = waf.properties.filter((p) => p.name !== 'logging');
}

function requiredRotationFunction(assembly: Assembly): void {
  assembly.types[SECRET].properties.find((p) => p.name === 'rotationFunction')!.optional = false;
}

beforeAll(() => {
  fs.mkdirSync(path.join(__dirname, '..', '..', '.tools'), { recursive: true });
  work = fs.mkdtempSync(path.join(__dirname, '..', '..', '.tools', 'api-compat-'));
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('passes an unchanged copy of the released assembly', () => {
  const result = compareApis(BASELINE_DIR, packageWith('unchanged'), path.join(work, 'none.txt'));
  expect(result).toEqual({ ok: true, report: '' });
});

test('fails on a removed optional prop and on an optional prop made required, naming each', () => {
  const changed = packageWith('changed', (assembly) => {
    removedWafLogging(assembly);
    requiredRotationFunction(assembly);
  });
  const result = compareApis(BASELINE_DIR, changed, path.join(work, 'none.txt'));
  expect(result.ok).toBe(false);
  const errors = result.report.split('\n').filter((line) => line.startsWith('err'));
  expect(errors).toEqual([
    expect.stringMatching(new RegExp(`^err\\s+- PROP ${WAF}\\.logging: has been removed`)),
    expect.stringMatching(new RegExp(`^err\\s+- IFACE ${SECRET}: newly required property 'rotationFunction'`)),
  ]);
});

test('passes a break whose key is listed as allowed, and only that one', () => {
  const changed = packageWith('allowed', removedWafLogging);
  const allowed = path.join(work, 'allowed.txt');
  fs.writeFileSync(allowed, `# a comment line\nremoved:${WAF}.logging\n`);
  expect(compareApis(BASELINE_DIR, changed, allowed).ok).toBe(true);
});
