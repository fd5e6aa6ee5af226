/**
 * Checks what the example apps in examples/ (one per language) promise, on each synthesized
 * template: `ts-node build-tools/check-example.ts <cdk.out>...`. Both apps build the same orders API,
 * so one set of assertions covers them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

/** Actions of the customer-managed policies attached to the role of the function `id`. */
function actionsOf(resources: Resources, id: string): Set<string> {
  const fnIds = Object.keys(resources).filter((k) => resources[k].Type === 'AWS::Lambda::Function' && k.startsWith(id));
  if (fnIds.length !== 1) throw new Error(`expected one function ${id}, found ${fnIds.length}`);
  const roleId: string = resources[fnIds[0]].Properties.Role['Fn::GetAtt'][0];
  return new Set(Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((r) => r.Properties.PolicyDocument.Statement)
    .flatMap((s: { Action: string | string[] }) => s.Action));
}

function expectActions(resources: Resources, id: string, has: string[], hasNot: string[]): void {
  const actions = actionsOf(resources, id);
  const missing = has.filter((a) => !actions.has(a));
  const extra = [...actions].filter((a) => hasNot.some((p) => a.startsWith(p)));
  if (missing.length || extra.length) {
    throw new Error(`${id}: missing ${missing.join(', ') || 'nothing'}; must not have ${extra.join(', ') || 'nothing'}`);
  }
}

function check(cdkOut: string): void {
  const json = JSON.parse(fs.readFileSync(path.join(cdkOut, 'OrdersApi.template.json'), 'utf8'));
  const template = Template.fromJSON(json);

  // Both routes run the user's functions behind the JWT authorizer.
  for (const method of ['GET', 'POST']) {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: method,
      AuthorizationType: 'CUSTOM',
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
  }
  template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
  template.hasResourceProperties('AWS::CloudTrail::Trail', { IsMultiRegionTrail: true, EnableLogFileValidation: true });

  // Least privilege: no inline policy and no AWS managed policy on any role, and each of the
  // user's functions may do only what it needs. The one exception is the account-level role API
  // Gateway itself assumes to write stage logs (ApiGatewayCloudWatchRole): AWS documents
  // AmazonAPIGatewayPushToCloudWatchLogs for it, and the construct acknowledges that IAM4 finding.
  template.resourceCountIs('AWS::IAM::Policy', 0);
  const pushToLogs = ':aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs';
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    const managed = JSON.stringify(role.Properties.ManagedPolicyArns ?? []);
    const apiGatewayLogsRole = id.startsWith('ApiGatewayAccount') && managed.includes(pushToLogs) && managed.split(':aws:policy/').length === 2;
    if (managed.includes(':aws:policy/') && !apiGatewayLogsRole) {
      throw new Error(`${id} has an AWS managed policy`);
    }
  }
  const resources: Resources = json.Resources;
  expectActions(resources, 'ListOrders', ['dynamodb:Query'], ['dynamodb:PutItem', 'dynamodb:Scan', 'secretsmanager:']);
  expectActions(resources, 'CreateOrder', ['dynamodb:PutItem'], ['dynamodb:Query', 'dynamodb:Scan', 'secretsmanager:']);
  expectActions(resources, 'IssueToken', ['secretsmanager:GetSecretValue'], ['dynamodb:', 'secretsmanager:PutSecretValue']);
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) throw new Error('usage: check-example.ts <cdk.out>...');
for (const dir of dirs) {
  check(dir);
  process.stdout.write(`${dir}: orders API checked (JWT-protected routes, WAF, rotation, trail, least-privilege roles)\n`);
}
