import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { createEncryptionKey } from '../shared/encryption-key';
import { isStackSetStack } from '../shared/stack-set';
import { ValidationError } from '../shared/validation';

/**
 * Properties for a JwtSecretReplicaKey.
 */
export interface JwtSecretReplicaKeyProps {
  /**
   * A description for the key.
   *
   * @default 'Encrypts the replica of a JWT signing key ring in <region>'
   */
  readonly description?: string;
}

/**
 * A customer-managed KMS key for a `RotatingJwtSecret`'s replica in another Region.
 *
 * A KMS key lives in one Region and a stack deploys to one Region, so the secret's stack cannot
 * create it: put this construct in a stack of the replica's Region, give both stacks
 * `crossRegionReferences: true`, and pass `replicaRegion` to the secret's `replicaRegions`.
 *
 * The key is hardened like every key of the library: automatic rotation, retained when it leaves
 * the stack (the replica is encrypted under it), a 30-day deletion window, and grants only for AWS
 * services. Its policy lets the account use it through Secrets Manager in its own Region (what
 * aws-cdk-lib gives the primary secret's key); the secret's construct gives its rotation role and
 * readers IAM permissions that are further limited to the replica (its ARN as encryption context).
 */
export class JwtSecretReplicaKey extends Construct {
  /** The key. */
  public readonly key: kms.Key;

  /** The Region of the key (and of the replica it encrypts). */
  public readonly region: string;

  constructor(scope: Construct, id: string, props: JwtSecretReplicaKeyProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    if (isStackSetStack(stack)) {
      throw new ValidationError(this, 'stack', `is the StackSet stack ${stack.node.path}, where a JwtSecretReplicaKey cannot live: the ` +
        'secret in another Region names this key by a cross-Region reference, which no StackSet instance can resolve. Give each ' +
        'RotatingJwtSecret in the StackSet its own Region (one instance per Region, no replicaRegions), or deploy the replica key in a stack of its own');
    }
    if (Token.isUnresolved(stack.region)) {
      throw new ValidationError(this, 'stack', 'must have a concrete Region (env.region): a replica is declared by Region name');
    }
    this.region = stack.region;
    this.key = createEncryptionKey(this, 'Key', props.description ?? `Encrypts the replica of a JWT signing key ring in ${this.region}`);
    const secretsManagerHere = new kms.ViaServicePrincipal(`secretsmanager.${this.region}.amazonaws.com`, new iam.AccountPrincipal(stack.account));
    this.key.grantEncryptDecrypt(secretsManagerHere);
    this.key.grant(secretsManagerHere, 'kms:CreateGrant', 'kms:DescribeKey');
  }

  /** The entry for `RotatingJwtSecretProps.replicaRegions`: this key's Region, encrypted with it. */
  public get replicaRegion(): secretsmanager.ReplicaRegion {
    return { region: this.region, encryptionKey: this.key };
  }
}
