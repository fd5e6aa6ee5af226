/** Prints the README's cost table for the demo stack: `npx ts-node demo/cost-table.ts`. */
import { costTable } from './cost';
import { buildDemoApp } from './demo-app';

process.stdout.write(`${costTable(buildDemoApp().stack)}\n`);
