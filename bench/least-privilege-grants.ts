/**
 * 50 mixed grants per function through LeastPrivilegeLambdaPolicies' typed permissions vs. the
 * same access through plain grant*() calls, measured in the same run:
 * - construction + synth time (best of REPEATS) for FUNCTIONS functions;
 * - per function: policies written, their size as deployed (upper estimate), the least-privilege
 *   checker's findings, and the unacknowledged cdk-nag AwsSolutions-IAM5 findings the user
 *   would have to acknowledge.
 * Each function gets 10 of each: S3 prefix read/write (encrypted bucket), EventBridge PutEvents,
 * SSM parameter path, Step Functions start + describe, Kinesis put (encrypted stream).
 *
 *   npx ts-node --project tsconfig.dev.json bench/least-privilege-grants.ts
 */
import { App, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { scaled, smokeBanner } from './smoke';
import { LeastPrivilegeChecker } from '../src/least-privilege/least-privilege-checker';
import { LeastPrivilegeLambdaPolicies } from '../src/least-privilege/least-privilege-lambda-policies';
import { estimatedChars } from '../src/least-privilege/policy-splitting';

const PER_SERVICE = 10;
const FUNCTIONS = scaled(20, 2);
const FUNCTIONS_PER_STACK = 10;
const REPEATS = scaled(3, 1);

interface Shared {
  readonly buckets: s3.IBucket[];
  readonly buses: events.IEventBus[];
  readonly paths: string[];
  readonly machines: sfn.IStateMachine[];
  readonly streams: kinesis.IStream[];
}

function shared(stack: Stack): Shared {
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const range = Array.from({ length: PER_SERVICE }, (_, i) => i);
  return {
    buckets: range.map((i) => new s3.Bucket(stack, `Bucket${i}`, { encryptionKey: key, enforceSSL: true })),
    buses: range.map((i) => new events.EventBus(stack, `Bus${i}`)),
    paths: range.map((i) => `/app/service-${i}`),
    machines: range.map((i) => sfn.StateMachine.fromStateMachineName(stack, `Machine${i}`, `flow-${i}`)),
    streams: range.map((i) => new kinesis.Stream(stack, `Stream${i}`, { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key })),
  };
}

function grantTyped(stack: Stack, id: string, fn: lambda.Function, r: Shared): void {
  new LeastPrivilegeLambdaPolicies(stack, `${id}Policies`, {
    function: fn,
    buckets: r.buckets.map((bucket, i) => ({ bucket, keyPrefix: `tenant-${i}/`, readObjects: true, writeObjects: true })),
    eventBuses: r.buses.map((eventBus) => ({ eventBus, sources: ['com.example.orders'] })),
    parameterPaths: r.paths.map((path) => ({ path })),
    stateMachines: r.machines.map((stateMachine) => ({ stateMachine, readExecutionStatus: true })),
    streams: r.streams,
  });
}

function grantPlain(stack: Stack, fn: lambda.Function, r: Shared): void {
  r.buckets.forEach((b, i) => b.grantReadWrite(fn, `tenant-${i}/*`));
  r.buses.forEach((b) => b.grantPutEventsTo(fn));
  r.paths.forEach((p) => fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['ssm:GetParametersByPath', 'ssm:GetParameter', 'ssm:GetParameters'],
    resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: p.slice(1) }), stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${p.slice(1)}/*` })],
  })));
  r.machines.forEach((m) => { m.grantStartExecution(fn); m.grantRead(fn); });
  r.streams.forEach((s) => s.grantWrite(fn));
}

function build(count: number, typed: boolean): { app: App; firstFunction: lambda.Function } {
  const app = new App();
  let stack!: Stack;
  let resources!: Shared;
  let firstFunction!: lambda.Function;
  for (let i = 0; i < count; i++) {
    if (i % FUNCTIONS_PER_STACK === 0) {
      stack = new Stack(app, `Bench${i / FUNCTIONS_PER_STACK}`, { env: { account: '123456789012', region: 'us-east-1' } });
      resources = shared(stack);
    }
    const fn = new lambda.Function(stack, `Fn${i}`, {
      runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    if (typed) grantTyped(stack, `Fn${i}`, fn, resources);
    else grantPlain(stack, fn, resources);
    firstFunction ??= fn;
  }
  return { app, firstFunction };
}

function timeMs(count: number, typed: boolean): number {
  let best = Infinity;
  for (let r = 0; r < REPEATS; r++) {
    const start = process.hrtime.bigint();
    build(count, typed).app.synth();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

/** Identity policies attached to the function's role, their deployed size, checker and IAM5 findings. */
function perFunction(typed: boolean) {
  const { app, firstFunction } = build(1, typed);
  const stack = Stack.of(firstFunction);
  app.synth();
  const role = firstFunction.role!.node.defaultChild as iam.CfnRole;
  const roleRef = stack.resolve(role.ref);
  const attached = stack.node.findAll().filter((c): c is iam.CfnManagedPolicy | iam.CfnPolicy =>
    (c instanceof iam.CfnManagedPolicy || c instanceof iam.CfnPolicy) &&
    JSON.stringify(stack.resolve((c as iam.CfnManagedPolicy).roles)).includes(JSON.stringify(roleRef)));
  const document = (p: iam.CfnManagedPolicy | iam.CfnPolicy) =>
    (p.policyDocument instanceof iam.PolicyDocument ? p.policyDocument.toJSON() : p.policyDocument);
  const chars = attached.reduce((n, p) => n + estimatedChars(stack, document(p)), 0);
  const scopes: IConstruct[] = [firstFunction, ...stack.node.findAll().filter((c) => c instanceof LeastPrivilegeLambdaPolicies)];
  const iam5 = new Set<string>();
  for (const scope of scopes) {
    for (const v of new AwsSolutionsChecks().validateScope(scope).violations) {
      if (!v.ruleName.startsWith('AwsSolutions-IAM5')) continue;
      for (const r of v.violatingResources) iam5.add(`${v.ruleName} ${r.constructPath}`);
    }
  }
  return { policies: attached.length, chars, checker: LeastPrivilegeChecker.check(stack).length, iam5: iam5.size };
}

// Warm up module loading and JIT so neither side is charged for it.
timeMs(2, true);
timeMs(2, false);

const plainMs = timeMs(FUNCTIONS, false);
const typedMs = timeMs(FUNCTIONS, true);
const plain = perFunction(false);
const typed = perFunction(true);

const row = (cells: Array<string | number>) => cells.map((c) => String(c).padStart(16)).join('');
smokeBanner();
console.log(`${PER_SERVICE * 5} mixed grants per function (${PER_SERVICE} each: S3 prefix r/w, EventBridge, SSM path, Step Functions, Kinesis)`);
console.log(row(['', 'plain grant*()', 'typed', 'typed/plain']));
console.log(row([`synth ms, ${FUNCTIONS} fn`, plainMs.toFixed(0), typedMs.toFixed(0), (typedMs / plainMs).toFixed(2)]));
console.log(row(['policies per fn', plain.policies, typed.policies, (typed.policies / plain.policies).toFixed(2)]));
console.log(row(['policy chars/fn', plain.chars, typed.chars, (typed.chars / plain.chars).toFixed(2)]));
console.log(row(['checker findings', plain.checker, typed.checker, '']));
console.log(row(['IAM5 to ack/fn', plain.iam5, typed.iam5, '']));
console.log('(best of 3 construction + synth runs; policy chars = the deployed upper estimate the construct packs by)');
