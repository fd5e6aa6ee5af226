import * as fs from 'fs';
import * as path from 'path';
import { gateStacks } from './helpers/construct-fixtures';
import { ControlViolation, controlTowerViolations } from './helpers/control-tower';
import { CONTROL_TOWER_ALLOWANCES, PENDING_CONSTRUCT_FIXES, matches } from './helpers/control-tower-allowances';

const format = (vs: readonly ControlViolation[]) => vs.map((v) => `${v.template}: ${v.control} on ${v.resource}`).join('\n');

describe('Control Tower proactive controls (cfn-guard rules of @cdklabs/cdk-validator-cfnguard)', () => {
  const stacks = gateStacks();
  // One guard run over every template: the rule set takes seconds to load.
  const violations = controlTowerViolations(stacks);

  test.each(stacks.map((s) => s.name))('%s fails no control outside the README allow-list', (name) => {
    const unexpected = violations.filter((v) => v.template === name
      && !CONTROL_TOWER_ALLOWANCES.some((a) => matches(a, v))
      && !PENDING_CONSTRUCT_FIXES.some((p) => matches(p, v)));
    expect(format(unexpected)).toBe('');
  });

  test('every allowance is still needed by some template (a fixed control leaves the list)', () => {
    const unused = CONTROL_TOWER_ALLOWANCES.filter((a) => !violations.some((v) => matches(a, v)));
    expect(unused).toEqual([]);
  });

  test('the gate does find violations (the rules and the binary really ran)', () => {
    expect(violations.some((v) => v.control === 'CT.LAMBDA.PR.3')).toBe(true);
  });

  // Cheap construct fixes reported in issue 14: each flips to a failure once the construct is fixed.
  // (jest refuses `.each` of an empty table, and the list is empty while nothing is pending.)
  if (PENDING_CONSTRUCT_FIXES.length > 0) {
    test.failing.each(PENDING_CONSTRUCT_FIXES.map((p) => [p.control, p.resource, p.fix]))(
      '%s on %s passes once %s (construct fix reported in issue 14)', (control, resource) => {
        expect(format(violations.filter((v) => matches({ control, resource }, v)))).toBe('');
      });
  }

  test('CT.LAMBDA.PR.2: every invoke permission the library creates names its source account or a readable source', () => {
    expect(format(violations.filter((v) => v.control === 'CT.LAMBDA.PR.2'))).toBe('');
  });

  test('the README table lists exactly the allow-list', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.split('<!-- control-tower-allowances:start -->')[1]?.split('<!-- control-tower-allowances:end -->')[0];
    expect(section).toBeDefined();
    const rows = section!.split('\n').filter((l) => l.startsWith('| CT.') || l.startsWith('| `CT.'))
      .map((l) => l.split(' | ').map((c) => c.replace(/^\|\s*|\s*\|$/g, '').trim()));
    const cell = (s: string) => s.replace(/^`|`$/g, '');
    expect(rows.map((r) => ({ control: cell(r[0]), resource: cell(r[1]), why: r[2] })))
      .toEqual(CONTROL_TOWER_ALLOWANCES.map((a) => ({ control: a.control, resource: a.resource, why: a.why })));
  });
});
