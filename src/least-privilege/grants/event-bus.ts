import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ValidationError } from '../../shared/validation';
import { EventBusPermission } from '../least-privilege-permissions';
import { StatementSink } from './statement-sink';

/**
 * events:PutEvents on the bus's exact ARN. A PutEvents call carries up to 10 entries, so
 * `events:source` and `events:detail-type` are matched with ForAllValues (every entry's value
 * must be listed) plus a Null check, so a request without the key cannot pass vacuously: the
 * form AWS's own managed policies use for these keys.
 */
export function grantPutEvents(sink: StatementSink, permission: EventBusPermission, prop: string, i: number): void {
  const forAll: Record<string, string[]> = {};
  const present: Record<string, string> = {};
  for (const [name, key, values] of [['sources', 'events:source', permission.sources], ['detailTypes', 'events:detail-type', permission.detailTypes]] as const) {
    if (values === undefined) continue;
    if (values.length === 0 || values.some((v) => !Token.isUnresolved(v) && v.trim() === '')) {
      throw new ValidationError(sink.scope, `${prop}.${name}`, `must list at least one non-empty value (omit it to allow any), got ${JSON.stringify(values)}`);
    }
    forAll[key] = [...values];
    present[key] = 'false';
  }
  const conditions = Object.keys(forAll).length > 0 ? { 'ForAllValues:StringEquals': forAll, 'Null': present } : undefined;
  sink.place(new iam.PolicyStatement({
    sid: `PutEventsToBus${i}`,
    actions: ['events:PutEvents'],
    resources: [permission.eventBus.eventBusArn],
    conditions,
  }), `${prop}.eventBus`);
}
