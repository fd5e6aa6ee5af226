import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Records a cdk-nag acknowledgement on the narrowest construct it concerns. Every
 * acknowledgement in the library goes through here, so a test can check that each names an
 * exact finding (`Rule-Id` or `Rule-Id[Finding]`) and carries a reason.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (id.split('::').length <= 2) {
    Validations.of(scope).acknowledge({ id, reason });
    return;
  }
  // aws-cdk-lib 2.257 rejects ids with more than one '::', yet cdk-nag names findings on
  // tokenized ARNs that way (`...[Resource::arn:<AWS::Partition>:...]`). Record the same
  // metadata entry that `acknowledge` writes, which is what cdk-nag reads.
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
}
