/**
 * What starts a RotatingJwtSecret's rotations: Secrets Manager's permission to invoke the
 * function (for this secret only) and the rotation schedule, which must not exist before every
 * permission the first rotation needs.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { ResolvedSchedule } from './rotation-schedule';
import { BundledFunction } from '../bundled-function/bundled-function';

export interface RotationTriggerProps {
  readonly secret: secretsmanager.ISecret;
  readonly rotation: BundledFunction;
  readonly schedule: ResolvedSchedule;
  /** `3h`, or undefined for Secrets Manager's default window. */
  readonly window?: string;
  readonly rotateImmediatelyOnUpdate: boolean;
  /** Further constructs the first rotation uses (the JWKS bucket and its policy). */
  readonly alsoNeeds: readonly IConstruct[];
}

export function scheduleRotation(scope: Construct, props: RotationTriggerProps): secretsmanager.CfnRotationSchedule {
  const { rotation, secret } = props;
  // Only Secrets Manager, for this secret in this account, may invoke the rotation function.
  rotation.function.addPermission('InvokeBySecretsManager', {
    principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
    action: 'lambda:InvokeFunction',
    sourceAccount: Stack.of(scope).account,
    sourceArn: secret.secretArn,
  });

  const rotationSchedule = new secretsmanager.CfnRotationSchedule(scope, 'RotationSchedule', {
    secretId: secret.secretArn,
    rotationLambdaArn: rotation.function.functionArn,
    rotateImmediatelyOnUpdate: props.rotateImmediatelyOnUpdate,
    rotationRules: { scheduleExpression: props.schedule.expression, duration: props.window },
  });
  // Secrets Manager invokes the function as soon as the schedule exists (rotate immediately):
  // the role, every policy attached to it and the invoke permission must exist by then. The
  // dependency is on the whole bundled-function subtree, resolved at synth, so a policy added
  // to it later (the role's default policy, more managed policies) is covered too.
  rotationSchedule.node.addDependency(rotation);
  for (const needed of props.alsoNeeds) rotationSchedule.node.addDependency(needed);
  return rotationSchedule;
}
