import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { nodeRuntimeName, TESTED_NODE_MAJORS } from './tested-node-majors';
import { ValidationError } from '../shared/validation';

/**
 * The newest Node.js runtime that both `runtimeClass` (the installed aws-cdk-lib's
 * `lambda.Runtime`) defines and the handlers are tested on. Looked up by name at synth time: cdk-nag's
 * AwsSolutions-L1 wants the newest runtime the installed aws-cdk-lib knows, so a default pinned in
 * the library becomes a finding the week aws-cdk-lib adds a major; and the library cannot name
 * `NODEJS_26_X` statically while it supports an aws-cdk-lib that lacks it.
 */
export function newestTestedRuntime(runtimeClass: object = lambda.Runtime): lambda.Runtime {
  const statics = runtimeClass as Record<string, unknown>;
  for (const major of [...TESTED_NODE_MAJORS].reverse()) {
    const candidate = statics[`NODEJS_${major}_X`];
    if (candidate instanceof lambda.Runtime && isTestedNodeRuntime(candidate) && candidate.name === nodeRuntimeName(major)) {
      return candidate;
    }
  }
  // The floor aws-cdk-lib (package.json peerDependencies) defines NODEJS_24_X: only a broken install gets here.
  throw new Error(`aws-cdk-lib's lambda.Runtime defines none of ${TESTED_NODE_MAJORS.map((m) => `NODEJS_${m}_X`).join(', ')}`);
}

/**
 * Refuses a runtime the handlers are not tested on: another family, an older or a newer Node.js major.
 * `prop` is the runtime's name in the owning construct's props (e.g. `rotationFunction.runtime`).
 */
export function validateBundledRuntime(scope: IConstruct, prop: string, runtime: lambda.Runtime | undefined): void {
  if (runtime === undefined || Token.isUnresolved(runtime.name) || isTestedNodeRuntime(runtime)) return;
  const family = runtime.family === lambda.RuntimeFamily.NODEJS ? '' : ' (not of RuntimeFamily.NODEJS)';
  throw new ValidationError(scope, prop,
    `must be one of ${TESTED_NODE_MAJORS.map(nodeRuntimeName).join(', ')} (the Node.js runtimes the bundled handlers are tested on), got ${runtime.name}${family}`);
}

function isTestedNodeRuntime(runtime: lambda.Runtime): boolean {
  return runtime.family === lambda.RuntimeFamily.NODEJS && TESTED_NODE_MAJORS.map(nodeRuntimeName).includes(runtime.name);
}
