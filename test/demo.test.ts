import { Template } from 'aws-cdk-lib/assertions';
import { buildDemoApp } from '../demo/demo-app';
import { securityReport } from '../demo/report';
import { expectCfnLintClean } from './helpers/cfn-lint';
import { expectScheduleWaitsForItsPermissions } from './helpers/dependency-closure';

describe('the demo app (npm run demo)', () => {
  const { stack } = buildDemoApp();

  test('reports zero unacknowledged findings and lists each acknowledgement with its reason', () => {
    const report = securityReport(stack);
    expect(report.unacknowledged).toBe(0);
    expect(report.text).toContain('Result: zero unacknowledged findings');
    expect(report.text).toMatch(/reason: \S/);
  });

  test('the key rotation schedule depends on every policy of the rotation role and on the invoke permission', () => {
    expectScheduleWaitsForItsPermissions(Template.fromStack(stack));
  });

  test('passes cfn-lint with no error', () => {
    expectCfnLintClean(stack);
  });
});
