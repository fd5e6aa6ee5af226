import { CfnResource, IResolvable, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * IAM's size quota for a customer managed policy document: 6,144 characters, white space not
 * counted (IAM and AWS STS quotas, "Managed policy size").
 */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/** IAM's default quota of managed policies attached to one role (adjustable up to 20). */
export const DEFAULT_MAX_MANAGED_POLICIES_PER_ROLE = 10;

/**
 * How many characters an unresolved reference (`Ref`, `Fn::GetAtt`, `Fn::ImportValue`, ...) is
 * counted as. Its deployed value (an ARN, mostly) is unknown at synth time; 256 covers the ARNs
 * this library writes, so a policy that fits by this estimate fits once deployed.
 */
export const UNRESOLVED_REFERENCE_CHARS = 256;

/** The deployed length of the pseudo parameters, at their longest across partitions. */
const PSEUDO_PARAMETER_CHARS: Record<string, number> = {
  'AWS::Partition': 'aws-us-gov'.length,
  'AWS::Region': 'ap-southeast-5'.length,
  'AWS::AccountId': 12,
  'AWS::URLSuffix': 'amazonaws.com.cn'.length,
};

/**
 * `arn:<partition>:<service>:<region>:<account>:`, at its longest: partition `aws-us-gov`, a
 * 16-character Region (the longest today has 14), a 12-digit account.
 */
const arnPrefix = (service: string) => 'arn:'.length + 'aws-us-gov'.length + service.length + 16 + 12 + 4;

/**
 * The longest deployed value of a Ref or Fn::GetAtt of resource types whose names the service
 * bounds well below UNRESOLVED_REFERENCE_CHARS (S3 bucket names: 63 characters; KMS key ids: 36;
 * Kinesis stream names: 128; SQS queue names: 80; state machine names: 80; function names: 64).
 * Other types (and other attributes) keep the 256-character estimate.
 */
const BOUNDED_REFERENCE_CHARS: Record<string, Record<string, number>> = {
  'AWS::S3::Bucket': { Ref: 63, Arn: 'arn:aws-us-gov:s3:::'.length + 63 },
  'AWS::KMS::Key': { Ref: 36, KeyId: 36, Arn: arnPrefix('kms') + 'key/'.length + 36 },
  'AWS::Kinesis::Stream': { Ref: 128, Arn: arnPrefix('kinesis') + 'stream/'.length + 128 },
  'AWS::SQS::Queue': { QueueName: 80, Arn: arnPrefix('sqs') + 80 },
  'AWS::StepFunctions::StateMachine': { Name: 80, Ref: arnPrefix('states') + 'stateMachine:'.length + 80 },
  'AWS::Lambda::Function': { Ref: 64, Arn: arnPrefix('lambda') + 'function:'.length + 64 },
};

/**
 * The resource type of each CloudFormation resource that `value` references directly (a Ref or
 * Fn::GetAtt token in a string, a list or as a value), by logical id. Read from the tokens
 * themselves, so no scan of the construct tree is needed; a reference it cannot see is
 * counted at UNRESOLVED_REFERENCE_CHARS.
 */
function referencedTypes(stack: Stack, value: unknown, types = new Map<string, string>()): Map<string, string> {
  const record = (token: IResolvable) => {
    if (!Reference.isReference(token) || !CfnResource.isCfnResource(token.target) || Stack.of(token.target) !== stack) return;
    types.set(stack.resolve(token.target.logicalId) as string, token.target.cfnResourceType);
  };
  if (typeof value === 'string') {
    if (Token.isUnresolved(value)) Tokenization.reverseString(value).tokens.forEach(record);
  } else if (Array.isArray(value)) {
    const list = Token.isUnresolved(value) ? Tokenization.reverseList(value) : undefined;
    if (list) record(list);
    else value.forEach((v) => referencedTypes(stack, v, types));
  } else if (Tokenization.isResolvable(value)) {
    record(value);
  } else if (value && typeof value === 'object') {
    Object.values(value).forEach((v) => referencedTypes(stack, v, types));
  }
  return types;
}

/** The document wrapper's length: `{"Version":"2012-10-17","Statement":[]}`. */
export const DOCUMENT_OVERHEAD_CHARS = JSON.stringify({ Version: '2012-10-17', Statement: [] }).length;

/**
 * Upper estimate of the characters IAM counts for a value once deployed (white space outside
 * and inside strings excluded), resolving tokens in `scope`'s stack. Pass the value unresolved
 * (as `PolicyStatement.toStatementJson()` gives it), so references can be bounded by type. Statements are
 * joined with a comma, so a document's size is the overhead plus the sum of (statement + 1).
 */
export function estimatedChars(scope: IConstruct, value: unknown): number {
  const stack = Stack.of(scope);
  return measure(stack.resolve(value), referencedTypes(stack, value));
}

/** Characters a Ref or Fn::GetAtt deploys to, at most (quotes excluded). */
function referenceChars(types: ReadonlyMap<string, string>, logicalId: unknown, attribute: string): number {
  if (typeof logicalId !== 'string') return UNRESOLVED_REFERENCE_CHARS;
  const type = types.get(logicalId);
  return (type !== undefined ? BOUNDED_REFERENCE_CHARS[type]?.[attribute] : undefined) ?? UNRESOLVED_REFERENCE_CHARS;
}

function measure(node: unknown, types: ReadonlyMap<string, string>): number {
  if (node === null || node === undefined) return 4;
  if (typeof node === 'string') return JSON.stringify(node).replace(/\s/g, '').length;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node).length;
  if (Array.isArray(node)) return 2 + node.reduce((n: number, v) => n + measure(v, types), 0) + Math.max(0, node.length - 1);
  const obj = node as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const key = keys[0];
    const arg = obj[key];
    if (key === 'Ref' && typeof arg === 'string' && arg in PSEUDO_PARAMETER_CHARS) return PSEUDO_PARAMETER_CHARS[arg] + 2;
    if (key === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
      const [delimiter, parts] = arg as [string, unknown[]];
      // Each part counted as its own quoted string; drop the quotes of all but one.
      const inner = parts.reduce((n: number, p) => n + measure(p, types) - 2, 0);
      return 2 + inner + String(delimiter).length * Math.max(0, parts.length - 1);
    }
    if (key === 'Ref') return referenceChars(types, arg, 'Ref') + 2;
    if (key === 'Fn::GetAtt' && Array.isArray(arg)) return referenceChars(types, arg[0], String(arg[1])) + 2;
    if (key.startsWith('Fn::')) return UNRESOLVED_REFERENCE_CHARS + 2;
  }
  return 2 + keys.reduce((n, k) => n + measure(k, types) + 1 + measure(obj[k], types), 0) + Math.max(0, keys.length - 1);
}

/**
 * First-fit packing of statements into policies of at most `capacity` characters: returns,
 * for the next statement of `size`, the index of the first bin it fits in, or `bins.length`
 * when it needs a new one. The caller adds `size` to that bin.
 */
export function firstFit(bins: ReadonlyArray<number>, size: number, capacity: number): number {
  const i = bins.findIndex((used) => used + size <= capacity);
  return i === -1 ? bins.length : i;
}
