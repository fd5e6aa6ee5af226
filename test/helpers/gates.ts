/**
 * The gates every construct configuration passes (BRIEF quality bar): zero unacknowledged
 * findings in the four cdk-nag packs on what the library owns, cfn-lint clean, one snapshot.
 * One call registers the three tests, so a configuration cannot silently skip one of them.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { expectCfnLintClean } from './cfn-lint';
import { expectNoUnacknowledgedFindings, expectNoUnacknowledgedV2Findings } from './nag';

export interface GateSubject {
  /** The stack whose template is linted and snapshotted. */
  readonly stack: Stack;
  /**
   * What the cdk-nag packs check: the library's constructs (and a role it completes). A user's
   * own resources in the test stack are not the library's to acknowledge.
   */
  readonly nagScopes: readonly IConstruct[];
}

/** Nag and cfn-lint on `subject`, as one assertion, for a test that also checks something else. */
export function expectSecureTemplate(subject: GateSubject): void {
  for (const scope of subject.nagScopes) expectNoUnacknowledgedFindings(scope);
  expectCfnLintClean(subject.stack);
}

/**
 * Registers, in the enclosing describe, the nag, cfn-lint and snapshot tests for `subject`
 * (given as a function when each test should build its own stack). The snapshot test keeps the
 * title 'matches the snapshot', which names the stored snapshot.
 */
export function testGates(subject: GateSubject | (() => GateSubject)): void {
  const get = typeof subject === 'function' ? subject : () => subject;

  test('has zero unacknowledged findings in the four cdk-nag packs', () => {
    const { nagScopes } = get();
    expect(nagScopes.length).toBeGreaterThan(0);
    for (const scope of nagScopes) expectNoUnacknowledgedFindings(scope);
  });

  test('has zero unacknowledged findings in the four cdk-nag v2 packs (Aspects)', () => {
    const { nagScopes } = get();
    for (const scope of nagScopes) expectNoUnacknowledgedV2Findings(scope);
  });

  test('passes cfn-lint with no error', () => {
    expectCfnLintClean(get().stack);
  });

  test('matches the snapshot', () => {
    expect(Template.fromStack(get().stack).toJSON()).toMatchSnapshot();
  });
}
