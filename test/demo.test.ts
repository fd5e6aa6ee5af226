import { buildDemoApp } from '../demo/demo-app';
import { securityReport } from '../demo/report';
import { expectCfnLintClean } from './helpers/cfn-lint';

describe('the demo app (npm run demo)', () => {
  const { stack } = buildDemoApp();

  test('reports zero unacknowledged findings and lists each acknowledgement with its reason', () => {
    const report = securityReport(stack);
    expect(report.unacknowledged).toBe(0);
    expect(report.text).toContain('Result: zero unacknowledged findings');
    expect(report.text).toMatch(/reason: \S/);
  });

  test('passes cfn-lint with no error', () => {
    expectCfnLintClean(stack);
  });
});
