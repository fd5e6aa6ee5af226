import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Records a cdk-nag acknowledgement on the narrowest construct it concerns. Every
 * acknowledgement in the library goes through here, so a test can check that each names an
 * exact finding (`Rule-Id` or `Rule-Id[Finding]`) and carries a reason.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
