import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Flattens a (possibly tokenized) value the way cdk-nag names findings: `${X}` and `Ref`
 * become `<X>`, `Fn::Join` is joined, `Fn::GetAtt` becomes `<Logical.Attr>`. An acknowledgement
 * must name the exact finding, so it is derived from the same value the policy uses.
 */
export function flattenForFinding(scope: IConstruct, value: unknown): string {
  return visit(Stack.of(scope).resolve(value));
}

function visit(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const obj = node as Record<string, unknown>;
  if (obj['Fn::Join']) {
    const [delimiter, items] = obj['Fn::Join'] as [string, unknown[]];
    return items.map(visit).join(delimiter);
  }
  if (obj['Fn::Sub']) return visit(obj['Fn::Sub']);
  if (obj['Fn::GetAtt']) {
    const [resource, attribute] = obj['Fn::GetAtt'] as [unknown, unknown];
    return `<${visit(resource)}.${visit(attribute)}>`;
  }
  if (obj['Fn::ImportValue']) return visit(obj['Fn::ImportValue']);
  if (obj.Ref) return `<${visit(obj.Ref)}>`;
  return JSON.stringify(node);
}
