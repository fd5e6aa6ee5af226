/**
 * A StackSet stack (cdk-stacksets' `StackSetStack`, or anything that synthesizes a
 * `*.stackset.template.json`) is a template, not a deployment: CloudFormation deploys its
 * instances into every target account and Region, where no other stack's export exists. A
 * construct there that is handed a resource of another stack would synthesize an
 * `Fn::ImportValue` that fails in every member account; it refuses at synth instead.
 */
import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ValidationError } from './validation';

/** Whether `stack` is deployed as a StackSet template (detected by its template file, so the library needs no cdk-stacksets dependency). */
export function isStackSetStack(stack: Stack): boolean {
  return stack.templateFile.endsWith('.stackset.template.json');
}

/**
 * Throws unless each given resource (a prop of the construct `scope`) is in `scope`'s own stack,
 * when that stack is a StackSet stack. Props left undefined are skipped.
 */
export function requireSameStackInStackSet(scope: IConstruct, resources: Record<string, IConstruct | undefined>): void {
  const here = Stack.of(scope);
  if (!isStackSetStack(here)) return;
  for (const [prop, resource] of Object.entries(resources)) {
    if (resource === undefined) continue;
    const there = Stack.of(resource);
    if (there === here) continue;
    throw new ValidationError(scope, prop,
      `is in stack ${there.node.path}, but ${scope.node.path} is in the StackSet stack ${here.node.path}: its instances deploy to ` +
      'other accounts and Regions, where no other stack\'s export exists. Create it in the same StackSetStack (or import it there by ' +
      'name or ARN), or deploy this construct in a stack of its own');
  }
}
