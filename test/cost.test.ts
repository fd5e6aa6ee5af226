import * as fs from 'fs';
import * as path from 'path';
import { costTable, fixedCosts, PRICES } from '../demo/cost';
import { buildDemoApp } from '../demo/demo-app';

describe('the README cost table', () => {
  const { stack } = buildDemoApp();

  test('is the table generated from the demo template (npx ts-node demo/cost-table.ts)', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const section = /<!-- cost-table:start -->\n([\s\S]*?)\n<!-- cost-table:end -->/.exec(readme);
    expect(section).not.toBeNull();
    expect(section![1]).toBe(costTable(stack));
  });

  test('counts resources times the stated prices', () => {
    const lines = fixedCosts(stack);
    const trail = lines.find((l) => l.construct === 'AuditTrail')!;
    expect(trail.counts).toEqual({ 'KMS keys': 1, 'alarms': 15, 'custom metrics': 15 });
    expect(trail.usd).toBeCloseTo(PRICES.kmsKey.usd + 15 * PRICES.alarm.usd + 15 * PRICES.customMetric.usd, 6);
    expect(lines.reduce((n, l) => n + (l.counts['KMS keys'] ?? 0), 0)).toBeLessThanOrEqual(4);
  });

  test('the README states the price date', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(`list prices recorded ${PRICES.date.slice(0, 7)}`);
  });
});
