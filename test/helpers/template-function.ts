/**
 * A Lambda function as an integration app deploys it, read from the committed synthesized template
 * (test/integ/<app>.ts.snapshot/<stack>.template.json): its handler string, memory, timeout, log
 * format and environment. A test that runs a handler the way Lambda runs it takes these from here,
 * so a construct change to any of them reaches the test without anyone restating it.
 */
import * as fs from 'fs';
import * as path from 'path';

const INTEG = path.join(__dirname, '..', 'integ');

/** Lambda's defaults for properties a template leaves out. */
const DEFAULT_MEMORY_MB = 128;
const DEFAULT_TIMEOUT_S = 3;

export interface TemplateFunction {
  /** `<app>/<stack>/<logical id>`, for messages and tables. */
  readonly name: string;
  readonly logicalId: string;
  readonly handler: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** LoggingConfig.LogFormat (`Text` when absent). */
  readonly logFormat: string;
  /** Environment.Variables, with every CloudFormation reference resolved by the caller. */
  readonly environment: Record<string, string>;
}

/**
 * Says what a CloudFormation value (`{ Ref }`, `{ Fn::GetAtt }`, `{ Fn::Join }`) of variable `name`
 * stands for in the test's world: a string, or `undefined` to leave the variable unset. Throw
 * (or return undefined only with a reason) for anything the test does not know how to map.
 */
export type ReferenceResolver = (name: string, value: unknown) => string | undefined;

/**
 * The function of `stack` in integration app `app` whose logical id starts with `logicalIdPrefix`
 * (exactly one must match).
 */
export function templateFunction(app: string, stack: string, logicalIdPrefix: string, resolve: ReferenceResolver): TemplateFunction {
  const file = path.join(INTEG, `${app}.ts.snapshot`, `${stack}.template.json`);
  const resources = (JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> }).Resources;
  const matches = Object.entries(resources).filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(logicalIdPrefix));
  if (matches.length !== 1) {
    throw new Error(`${file}: expected one AWS::Lambda::Function starting with ${logicalIdPrefix}, found ${matches.map(([id]) => id).join(', ') || 'none'}`);
  }
  const [logicalId, { Properties: props }] = matches[0];
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries((props.Environment?.Variables ?? {}) as Record<string, unknown>)) {
    const resolved = typeof value === 'string' ? value : resolve(name, value);
    if (resolved !== undefined) environment[name] = resolved;
  }
  return {
    name: `${app}/${stack}/${logicalId}`,
    logicalId,
    handler: props.Handler,
    memorySize: props.MemorySize ?? DEFAULT_MEMORY_MB,
    timeoutSeconds: props.Timeout ?? DEFAULT_TIMEOUT_S,
    logFormat: props.LoggingConfig?.LogFormat ?? 'Text',
    environment,
  };
}

/** Whether `value` is `{ Ref: logicalId }` for a logical id starting with `prefix`. */
export function isRefTo(value: unknown, prefix: string): boolean {
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  return typeof ref === 'string' && ref.startsWith(prefix);
}
