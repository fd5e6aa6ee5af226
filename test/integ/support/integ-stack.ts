/**
 * What every integration test shares: a stack whose resources are deleted with it, the test
 * case, and the probe function (test/integ/probe) that exercises the deployed constructs.
 */
import * as path from 'path';
import { IntegTest, InvocationType, LogType } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicies, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** An app whose snapshots hold no stack traces (they would carry the machine's paths). */
export function integApp(): App {
  return new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
}

/**
 * A test stack, environment-agnostic: it deploys where the maintainer's credentials point, and
 * its snapshot is the same on every machine.
 */
export function integStack(app: App, id: string): Stack {
  return new Stack(app, id);
}

/** The test case. Snapshots keep no asset files, and integ-runner ignores asset hashes in templates. */
export function integTest(app: App, id: string, stack: Stack): IntegTest {
  return new IntegTest(app, id, {
    testCases: [stack],
    diffAssets: false,
    stackUpdateWorkflow: false,
    cdkCommandOptions: { destroy: { args: { force: true } } },
  });
}

/**
 * Every resource of `scope` is deleted with the stack (the constructs retain data by default),
 * except resources of `keepTypes`: buckets that hold delivered logs cannot be deleted by
 * CloudFormation and stay for the maintainer to empty (README, Integration tests).
 */
export function destroyWithStack(scope: Construct, keepTypes: string[] = []): void {
  RemovalPolicies.of(scope).destroy({ excludeResourceTypes: keepTypes });
}

/** The probe: an issuer, client and observer in the test stack. */
export function probeFunction(scope: Construct, environment: Record<string, string>): lambda.Function {
  return new lambda.Function(scope, 'Probe', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(__dirname, '..', 'probe')),
    timeout: Duration.minutes(3),
    environment,
    logGroup: new logs.LogGroup(scope, 'ProbeLogs', { retention: logs.RetentionDays.ONE_DAY }),
  });
}

/** Invokes the probe's `action` from the test's assertions. */
export function probe(integ: IntegTest, fn: lambda.IFunction, action: string) {
  return integ.assertions.invokeFunction({
    functionName: fn.functionName,
    invocationType: InvocationType.REQUEST_RESPONSE,
    logType: LogType.NONE,
    payload: JSON.stringify({ action }),
  });
}
