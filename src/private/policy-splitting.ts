import { Stack } from 'aws-cdk-lib';
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

/** The document wrapper's length: `{"Version":"2012-10-17","Statement":[]}`. */
export const DOCUMENT_OVERHEAD_CHARS = JSON.stringify({ Version: '2012-10-17', Statement: [] }).length;

/**
 * Upper estimate of the characters IAM counts for a value once deployed (white space outside
 * and inside strings excluded), resolving tokens in `scope`'s stack. Statements are
 * joined with a comma, so a document's size is the overhead plus the sum of (statement + 1).
 */
export function estimatedChars(scope: IConstruct, value: unknown): number {
  return measure(Stack.of(scope).resolve(value));
}

function measure(node: unknown): number {
  if (node === null || node === undefined) return 4;
  if (typeof node === 'string') return JSON.stringify(node).replace(/\s/g, '').length;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node).length;
  if (Array.isArray(node)) return 2 + node.reduce((n: number, v) => n + measure(v), 0) + Math.max(0, node.length - 1);
  const obj = node as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const key = keys[0];
    const arg = obj[key];
    if (key === 'Ref' && typeof arg === 'string' && arg in PSEUDO_PARAMETER_CHARS) return PSEUDO_PARAMETER_CHARS[arg] + 2;
    if (key === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
      const [delimiter, parts] = arg as [string, unknown[]];
      // Each part counted as its own quoted string; drop the quotes of all but one.
      const inner = parts.reduce((n: number, p) => n + measure(p) - 2, 0);
      return 2 + inner + String(delimiter).length * Math.max(0, parts.length - 1);
    }
    if (key === 'Ref' || key.startsWith('Fn::')) return UNRESOLVED_REFERENCE_CHARS + 2;
  }
  return 2 + keys.reduce((n, k) => n + measure(k) + 1 + measure(obj[k]), 0) + Math.max(0, keys.length - 1);
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
