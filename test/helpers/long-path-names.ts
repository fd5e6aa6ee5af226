/**
 * Name limits under long construct paths. Names the library derives from the construct path
 * (log groups, API, web ACL, trail) must stay within the service's limit however deep the user
 * nests the construct. The limits come from the resource provider schemas cfn-lint ships, so
 * no table of limits is kept here; `Fn::Join`s of literals and pseudo parameters are resolved
 * first so that cfn-lint sees the real strings.
 */
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { cfnLintTemplates } from './cfn-lint';
import { ConstructFixture, ENV } from './construct-fixtures';

/** Nests `fixture` under scopes whose path (stack name included) is at least `depth` characters. */
export function deepFixtureStack(fixture: ConstructFixture, depth = 200): Stack {
  const stack = new Stack(new App(), `${fixture.construct}DeepStack`, { env: ENV });
  let scope: Construct = stack;
  while (scope.node.path.length < depth) {
    scope = new Construct(scope, `Level${scope.node.scopes.length}OfAVeryDeeplyNestedConstructTree`);
  }
  fixture.build(scope);
  return stack;
}

const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };

/** The template with every Fn::Join/Ref of known values replaced by its string. */
export function resolveKnownStrings(stack: Stack): Record<string, unknown> {
  const known: Record<string, string> = { ...PSEUDO, 'AWS::StackName': stack.stackName, 'AWS::Region': stack.region, 'AWS::AccountId': stack.account };
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (!v || typeof v !== 'object') return v;
    const entries = Object.entries(v);
    if (entries.length === 1) {
      const [k, arg] = entries[0];
      if (k === 'Ref' && typeof arg === 'string' && known[arg] !== undefined) return known[arg];
      if (k === 'Fn::Join' && Array.isArray(arg)) {
        const parts = (arg[1] as unknown[]).map(resolve);
        if (parts.every((p) => typeof p === 'string')) return parts.join(arg[0] as string);
        return { 'Fn::Join': [arg[0], parts] };
      }
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, resolve(x)]));
  };
  return resolve(Template.fromStack(stack).toJSON()) as Record<string, unknown>;
}

/**
 * cfn-lint's errors on each template (the deep templates must be as clean as the shallow ones
 * the construct tests lint): length (E3033) and pattern (E3031) errors are the name limits.
 */
export function nameLimitErrors(templates: ReadonlyArray<{ readonly name: string; readonly template: Record<string, unknown> }>): string[] {
  return cfnLintTemplates(templates, ENV.region)
    .map((m) => `${path.basename(m.Filename)} ${m.Rule.Id} ${(m.Location.Path ?? []).join('/')}: ${m.Message}`);
}
