import * as path from 'path';
import { costTable } from './cost';
import { buildDemoApp } from './demo-app';
import { securityReport } from './report';

const outdir = path.join(__dirname, '..', 'cdk.out');
const { app, stack } = buildDemoApp(outdir);
app.synth();
const report = securityReport(stack);
process.stdout.write(`Synthesized ${stack.stackName} into ${path.relative(process.cwd(), outdir) || outdir}/\n\n${report.text}\n\n` +
  `Monthly fixed cost at us-east-1 list prices (README "Monthly fixed cost"):\n${costTable(stack)}\n`);
process.exitCode = report.unacknowledged === 0 ? 0 : 1;
