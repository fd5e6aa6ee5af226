import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * One statement of an identity policy, resolved the way CloudFormation receives it, with
 * what a finding needs to name it: the construct path of the resource that holds it and its
 * Sid (or its index when it has none).
 */
export interface CheckedStatement {
  /** Construct path of the CfnRole, CfnUser, CfnGroup, CfnPolicy or CfnManagedPolicy. */
  readonly path: string;
  /** `Sid <sid>`, or `Statement[<i>]` (plus the inline policy name for roles, users, groups). */
  readonly label: string;
  readonly effect: string;
  readonly actions: string[];
  readonly notActions: string[];
  /** Resources as resolved; intrinsics stay objects, so only a literal `*` equals `'*'`. */
  readonly resources: unknown[];
  readonly notResources: unknown[];
  /** The Condition block as resolved (`{ operator: { key: value | values } }`), `{}` when absent. */
  readonly conditions: Record<string, Record<string, unknown>>;
  /** Whether the statement has a NotAction / NotResource element at all. */
  readonly hasNotAction: boolean;
  readonly hasNotResource: boolean;
}

/** Every identity-policy statement held by a CfnResource under `scope` (the scope included). */
export function identityPolicyStatements(scope: IConstruct): CheckedStatement[] {
  const out: CheckedStatement[] = [];
  for (const c of scope.node.findAll()) {
    if (!CfnResource.isCfnResource(c)) continue;
    out.push(...statementsOf(c));
  }
  return out;
}

/** The identity-policy statements of one CfnResource (none for other resource types). */
export function statementsOf(resource: CfnResource): CheckedStatement[] {
  const stack = Stack.of(resource);
  const path = resource.node.path;
  if (resource instanceof iam.CfnPolicy || resource instanceof iam.CfnManagedPolicy) {
    return fromDocument(path, '', stack.resolve(resource.policyDocument));
  }
  if (resource instanceof iam.CfnRole || resource instanceof iam.CfnUser || resource instanceof iam.CfnGroup) {
    // The L1 property holds camelCase structs (policyName, policyDocument); accept either case.
    type Inline = { policyName?: unknown; policyDocument?: unknown; PolicyName?: unknown; PolicyDocument?: unknown };
    const policies = stack.resolve(resource.policies) as Inline[] | undefined;
    return (policies ?? []).flatMap((p, i) => {
      const name = p.policyName ?? p.PolicyName;
      return fromDocument(path, `Policies[${typeof name === 'string' ? name : i}] `, stack.resolve(p.policyDocument ?? p.PolicyDocument));
    });
  }
  return [];
}

/** Statements of a resolved policy document (as CloudFormation or `PolicyDocument.toJSON` gives it). */
export function fromDocument(path: string, prefix: string, document: unknown): CheckedStatement[] {
  const doc = document as { Statement?: unknown } | undefined;
  const raw = doc?.Statement;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list.map((s, i) => fromStatementJson(path, `${prefix}${label(s, i)}`, s));
}

/** One resolved statement (the JSON shape IAM takes). */
export function fromStatementJson(path: string, statementLabel: string, json: unknown): CheckedStatement {
  const s = (json ?? {}) as Record<string, unknown>;
  return {
    path,
    label: statementLabel,
    effect: typeof s.Effect === 'string' ? s.Effect : 'Allow',
    actions: asList(s.Action).filter((a): a is string => typeof a === 'string'),
    notActions: asList(s.NotAction).filter((a): a is string => typeof a === 'string'),
    resources: asList(s.Resource),
    notResources: asList(s.NotResource),
    conditions: isRecord(s.Condition)
      ? Object.fromEntries(Object.entries(s.Condition).map(([op, block]) => [op, isRecord(block) ? block : {}]))
      : {},
    hasNotAction: s.NotAction !== undefined,
    hasNotResource: s.NotResource !== undefined,
  };
}

function label(statement: unknown, index: number): string {
  const sid = (statement as { Sid?: unknown } | undefined)?.Sid;
  return typeof sid === 'string' && sid !== '' ? `Sid ${sid}` : `Statement[${index}]`;
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
