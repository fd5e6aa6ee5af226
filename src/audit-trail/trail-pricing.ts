/**
 * What a trail costs by existing, for the synth warning on a second trail in one stack. The
 * figures are the ones demo/cost.ts records (a test keeps them equal).
 */
import { Annotations, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** us-east-1 list prices, USD. */
export const TRAIL_PRICES = {
  /** CloudTrail: the first copy of management events per account is free; each further copy, per 100,000 events. */
  managementEventCopyPer100k: 2.0,
  kmsKeyPerMonth: 1.0,
  alarmPerMonth: 0.1,
  customMetricPerMonth: 0.3,
} as const;

const TRAILS_PER_STACK = new WeakMap<Stack, number>();

/**
 * Warns when a stack gets a second trail: CloudTrail charges every copy of the management
 * events after the first, and the second trail's key, alarms and metrics are paid again.
 */
export function warnOfDuplicateTrail(scope: Construct, trail: { createsKey: boolean; alarms: number }): void {
  const stack = Stack.of(scope);
  const count = (TRAILS_PER_STACK.get(stack) ?? 0) + 1;
  TRAILS_PER_STACK.set(stack, count);
  if (count < 2) return;
  const fixed = (trail.createsKey ? TRAIL_PRICES.kmsKeyPerMonth : 0)
    + trail.alarms * (TRAIL_PRICES.alarmPerMonth + TRAIL_PRICES.customMetricPerMonth);
  Annotations.of(scope).addWarningV2('cdk-security-blocks:duplicateTrail',
    `This is trail number ${count} that SecurityAuditTrail creates in stack ${stack.stackName}, and every trail records ` +
    `the management events again: CloudTrail charges $${TRAIL_PRICES.managementEventCopyPer100k.toFixed(2)} per 100,000 ` +
    'management events for every copy after the first (us-east-1 list price), plus S3, KMS and CloudWatch Logs ingestion ' +
    `for the copy, and this trail's own key, ${trail.alarms} alarms and metric filters cost about $${fixed.toFixed(2)} a ` +
    'month more. One SecurityAuditTrail per account is enough (it is multi-Region); to add alarms to a trail that exists, ' +
    'use SecurityAuditAlarms on its log group.');
}
