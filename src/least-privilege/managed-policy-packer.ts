/**
 * LeastPrivilegeLambdaPolicies' statement placement: every statement is checked (least-privilege
 * rules, size, Sid) and packed first-fit into customer managed policies of at most IAM's
 * 6,144 characters, with the acknowledgements its typed grant asks for on the policy that holds it.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { checkStatements, fromStatementJson } from './checks';
import { acknowledge } from '../shared/acknowledge';
import { Acknowledgement } from './grants/statement-sink';
import { DOCUMENT_OVERHEAD_CHARS, MANAGED_POLICY_MAX_CHARS, estimatedChars, firstFit } from './policy-splitting';
import { ValidationError } from '../shared/validation';

const CAPACITY = MANAGED_POLICY_MAX_CHARS - DOCUMENT_OVERHEAD_CHARS;

export class ManagedPolicyPacker {
  /** The managed policies created under the scope and attached to the role, in creation order. */
  public readonly policies: iam.ManagedPolicy[] = [];
  private readonly usedChars: number[] = [];
  private readonly sids = new Set<string>();
  private readonly acknowledged = new Set<string>();

  /**
   * @param scope the construct the policies are created under and every error names
   * @param maxManagedPolicies how many managed policies the role may have in all
   */
  constructor(private readonly scope: Construct, private readonly role: iam.IRole, private readonly maxManagedPolicies: number) {}

  /**
   * Checks one statement, then puts it in the first managed policy it fits in (a new one when
   * none has room). `prop` names where the statement came from in every error.
   */
  public place(statement: iam.PolicyStatement, prop: string, acknowledgements: Acknowledgement[] = []): void {
    const unresolved = statement.toStatementJson();
    const json = Stack.of(this.scope).resolve(unresolved);
    const findings = checkStatements([fromStatementJson(this.scope.node.path, prop, json)]);
    if (findings.length > 0) {
      throw new ValidationError(this.scope, prop,
        `is not least-privilege: ${findings.map((f) => `${f.findingId} (${f.message.slice(f.message.indexOf(': ') + 2)})`).join('; ')}`);
    }
    const size = estimatedChars(this.scope, unresolved) + 1;
    if (size > CAPACITY) {
      throw new ValidationError(this.scope, prop, `gives a statement of about ${size} characters once deployed, more than one managed policy holds ` +
        `(${MANAGED_POLICY_MAX_CHARS} characters without white space, ${CAPACITY} after the document wrapper); split it into smaller statements`);
    }
    if (statement.sid && this.sids.has(statement.sid)) {
      throw new ValidationError(this.scope, prop, `reuses Sid ${statement.sid}; Sids must be unique across the function's policies`);
    }
    if (statement.sid) this.sids.add(statement.sid);

    const bin = firstFit(this.usedChars, size, CAPACITY);
    if (bin === this.policies.length) {
      const total = this.otherManagedPolicyCount() + bin + 1;
      if (total > this.maxManagedPolicies) {
        throw new ValidationError(this.scope, prop, `would need managed policy ${bin + 1} of this construct, ${total} on role ${this.role.node.path} in all, ` +
          `more than maxManagedPolicies (${this.maxManagedPolicies}; IAM's default quota of managed policies per role is 10): ` +
          'each holds 6,144 characters. Grant fewer or coarser-grained resources, or raise the quota and maxManagedPolicies');
      }
      this.policies.push(new iam.ManagedPolicy(this.scope, bin === 0 ? 'Policy' : `Policy${bin + 1}`, {
        description: `Least-privilege permissions of ${this.scope.node.path} (${bin + 1})`.slice(0, 1000),
        roles: [this.role],
      }));
      this.usedChars.push(0);
    }
    this.usedChars[bin] += size;
    const policy = this.policies[bin];
    policy.addStatements(statement);
    for (const ack of acknowledgements) {
      // One finding id per policy: cdk-nag names every Resource "*" statement of a policy alike.
      const key = `${bin}\u0000${ack.id}`;
      if (this.acknowledged.has(key)) continue;
      this.acknowledged.add(key);
      acknowledge(policy, ack.id, ack.reason);
    }
  }

  /** Throws when the role ended up with more managed policies than `maxManagedPolicies`. */
  public validateTotal(): void {
    const total = this.otherManagedPolicyCount() + this.policies.length;
    if (total > this.maxManagedPolicies) {
      throw new ValidationError(this.scope, 'maxManagedPolicies', `is ${this.maxManagedPolicies}, but role ${this.role.node.path} has ${total} managed policies ` +
        `(${this.policies.length} from this construct): IAM rejects more than its quota of managed policies per role (10 by default)`);
    }
  }

  /** Customer managed policies attached through the role itself (AWS managed ones are removed). */
  private otherManagedPolicyCount(): number {
    const cfnRole = this.role.node.defaultChild;
    if (!(cfnRole instanceof iam.CfnRole)) return 0;
    const arns = Stack.of(this.scope).resolve(cfnRole.managedPolicyArns) as unknown[] | undefined;
    return (arns ?? []).length;
  }
}
