/**
 * Synth time of N Lambda functions under LeastPrivilegeLambdaPolicies vs. the same stack with
 * plain Functions (AWS managed policy + DefaultPolicy grants), measured in the same run.
 * Each function reads one secret and one table, so both stacks grant the same access.
 *
 *   npx ts-node --project tsconfig.dev.json bench/least-privilege-synth.ts
 */
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { scaled, smokeBanner } from './smoke';
import { LeastPrivilegeLambdaPolicies, TableAccessLevel } from '../src/least-privilege/least-privilege-lambda-policies';

const SIZES = scaled([10, 100, 400], [10]);
const REPEATS = scaled(3, 1);
const FUNCTIONS_PER_STACK = 100;

function build(count: number, withConstruct: boolean): App {
  const app = new App();
  let stack!: Stack;
  let secret!: secretsmanager.Secret;
  let table!: dynamodb.Table;
  for (let i = 0; i < count; i++) {
    // CloudFormation allows 500 resources per stack: 100 functions (300 resources) per stack.
    if (i % FUNCTIONS_PER_STACK === 0) {
      stack = new Stack(app, `Bench${i / FUNCTIONS_PER_STACK}`, { env: { account: '123456789012', region: 'us-east-1' } });
      secret = new secretsmanager.Secret(stack, 'Secret');
      table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    }
    const fn = new lambda.Function(stack, `Fn${i}`, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    if (withConstruct) {
      new LeastPrivilegeLambdaPolicies(stack, `Policies${i}`, {
        function: fn, secrets: [secret], tables: [{ table, access: TableAccessLevel.READ }],
      });
    } else {
      secret.grantRead(fn);
      table.grantReadData(fn);
    }
  }
  return app;
}

/** Construction plus synthesis, the best of REPEATS runs (ms). */
function time(count: number, withConstruct: boolean): number {
  let best = Infinity;
  for (let r = 0; r < REPEATS; r++) {
    const start = process.hrtime.bigint();
    build(count, withConstruct).synth();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

// Warm up module loading and JIT so the first size is not charged for it.
time(5, true);
time(5, false);

const rows = SIZES.map((n) => {
  const plain = time(n, false);
  const withConstruct = time(n, true);
  return { n, plain, withConstruct };
});

const pad = (s: string, w: number) => s.padStart(w);
smokeBanner();
console.log(`best of ${REPEATS} runs, construction + synth, ms`);
console.log(['functions', 'plain', 'plain/fn', 'construct', 'construct/fn', 'ratio'].map((h) => pad(h, 14)).join(''));
for (const { n, plain, withConstruct } of rows) {
  console.log([
    String(n), plain.toFixed(0), (plain / n).toFixed(2), withConstruct.toFixed(0), (withConstruct / n).toFixed(2), (withConstruct / plain).toFixed(2),
  ].map((c) => pad(c, 14)).join(''));
}
const first = rows[0];
const last = rows[rows.length - 1];
console.log(`per-function time with the construct, ${last.n} vs ${first.n} functions: ` +
  `x${((last.withConstruct / last.n) / (first.withConstruct / first.n)).toFixed(2)} (1.00 = linear)`);
