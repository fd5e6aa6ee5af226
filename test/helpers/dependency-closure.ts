/**
 * What CloudFormation must create before a resource, read from a synthesized template: its
 * DependsOn and every resource it references (Ref, Fn::GetAtt), transitively.
 */
import { Template } from 'aws-cdk-lib/assertions';

export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[] }>;

/** Logical ids a value references through Ref or Fn::GetAtt. */
export function referencedIds(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedIds(v, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') out.add(v);
      else if (k === 'Fn::GetAtt' && Array.isArray(v)) out.add(v[0] as string);
      else referencedIds(v, out);
    }
  }
  return out;
}

/** Everything CloudFormation must create before `id`: its DependsOn and references, transitively. */
export function dependencyClosure(resources: Resources, id: string): Set<string> {
  const seen = new Set<string>();
  const queue = [id];
  while (queue.length > 0) {
    const r = resources[queue.pop()!];
    if (!r) continue;
    for (const dep of [...[r.DependsOn ?? []].flat(), ...referencedIds(r.Properties)]) {
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  return seen;
}

/**
 * Derived from the template, not from a list: whatever policy is attached to the role the
 * schedule's function runs as, and whatever permission lets something invoke that function,
 * must be created before the schedule (which rotates at once).
 */
export function expectScheduleWaitsForItsPermissions(template: Template): void {
  const resources = template.toJSON().Resources as Resources;
  const [scheduleId, schedule] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::SecretsManager::RotationSchedule')!;
  const functionId = [...referencedIds(schedule.Properties?.RotationLambdaARN)][0];
  const roleId = [...referencedIds(resources[functionId].Properties?.Role)][0];
  const attached = Object.entries(resources).filter(([, r]) =>
    (['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type) && referencedIds(r.Properties?.Roles).has(roleId))
    || (r.Type === 'AWS::Lambda::Permission' && referencedIds(r.Properties?.FunctionName).has(functionId))).map(([id]) => id);
  expect(attached.length).toBeGreaterThanOrEqual(2);
  const closure = dependencyClosure(resources, scheduleId);
  for (const id of [roleId, ...attached]) expect([id, closure.has(id)]).toEqual([id, true]);
}
