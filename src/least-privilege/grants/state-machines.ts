import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { StatementSink, wildcardResourceFinding } from './statement-sink';
import { StateMachinePermission } from '../least-privilege-permissions';

export function grantStateMachine(sink: StatementSink, permission: StateMachinePermission, prop: string, i: number): void {
  const stateMachineArn = permission.stateMachine.stateMachineArn;
  sink.place(new iam.PolicyStatement({
    sid: `StartStateMachine${i}`, actions: ['states:StartExecution'], resources: [stateMachineArn],
  }), `${prop}.stateMachine`);
  if (!permission.readExecutionStatus) return;
  // Execution ARNs are arn:...:execution:<state machine name>:<execution name>, as aws-cdk-lib's grantRead builds them.
  const stack = Stack.of(sink.scope);
  const machine = permission.stateMachine;
  const name = machine instanceof sfn.StateMachine
    ? machine.stateMachineName
    : stack.splitArn(stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
  const executions = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${name}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  sink.place(new iam.PolicyStatement({
    sid: `DescribeStateMachine${i}Executions`, actions: ['states:DescribeExecution'], resources: [executions],
  }), `${prop}.readExecutionStatus`, [wildcardResourceFinding(sink.scope, executions,
    'readExecutionStatus was set: execution names are chosen when each execution starts, so the wildcard stands for the ' +
    'execution name only, confined to executions of this one state machine.')]);
}
