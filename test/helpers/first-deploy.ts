/**
 * Offline checks for what only a first deployment into a new account would reveal. Each check
 * reads a synthesized template (plain JSON) and derives what to check from it: which resources
 * run code or make a service act at deploy time, which roles they run as, what those roles'
 * policies are, and what the template orders before what.
 */

export type CfnTemplate = { readonly Resources: Record<string, CfnResource> };
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}

/** Logical ids a value refers to (Ref, Fn::GetAtt, Fn::Sub), pseudo parameters left out. */
export function references(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => references(v, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') {
        if (!v.startsWith('AWS::')) out.add(v);
      } else if (k === 'Fn::GetAtt') {
        const target = Array.isArray(v) ? v[0] : String(v).split('.')[0];
        if (typeof target === 'string') out.add(target);
      } else if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        for (const m of String(text).matchAll(/\$\{([^}!.]+)[^}]*\}/g)) if (!m[1].startsWith('AWS::')) out.add(m[1]);
        if (Array.isArray(v)) references(v[1], out);
      } else {
        references(v, out);
      }
    }
  }
  return out;
}

/** What CloudFormation creates before `id`: its DependsOn and references, transitively. */
export function dependencyClosure(template: CfnTemplate, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length > 0) {
    const r = template.Resources[stack.pop()!];
    if (!r) continue;
    const direct = new Set([...references(r.Properties), ...([] as string[]).concat(r.DependsOn ?? [])]);
    for (const d of direct) {
      if (!seen.has(d) && template.Resources[d]) {
        seen.add(d);
        stack.push(d);
      }
    }
  }
  return seen;
}

const ofType = (template: CfnTemplate, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const refersTo = (value: unknown, id: string) => references(value).has(id);

/** The in-template Lambda function a value names (by Ref or Fn::GetAtt), if any. */
function lambdaIn(template: CfnTemplate, value: unknown): string | undefined {
  return [...references(value)].find((id) => template.Resources[id]?.Type === 'AWS::Lambda::Function');
}

export interface DeployTimeAction {
  /** The resource whose creation runs code or makes a service act with a role. */
  readonly resource: string;
  readonly why: string;
  /** The in-template role the code or service acts as. */
  readonly role?: string;
  /** The Lambda function that runs, when it is one. */
  readonly function?: string;
}

/**
 * Resources whose creation runs code or makes a service act with a role before the stack is
 * complete: custom resources, rotation schedules that rotate at once, event source mappings
 * (validated against the role at create), and any other resource that hands a service one of
 * the template's roles (e.g. CloudTrail's CloudWatchLogsRoleArn, checked at CreateTrail).
 */
export function deployTimeActions(template: CfnTemplate): DeployTimeAction[] {
  const out: DeployTimeAction[] = [];
  const functionRole = (fn: string) => [...references(template.Resources[fn].Properties?.Role)]
    .find((id) => template.Resources[id]?.Type === 'AWS::IAM::Role');
  for (const [id, r] of Object.entries(template.Resources)) {
    const props = r.Properties ?? {};
    let fn: string | undefined;
    let why: string | undefined;
    if (r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource') {
      fn = lambdaIn(template, props.ServiceToken);
      why = 'custom resource';
    } else if (r.Type === 'AWS::SecretsManager::RotationSchedule' && props.RotationLambdaARN && props.RotateImmediatelyOnUpdate !== false) {
      fn = lambdaIn(template, props.RotationLambdaARN);
      why = 'rotation schedule that rotates at once';
    } else if (r.Type === 'AWS::Lambda::EventSourceMapping') {
      fn = lambdaIn(template, props.FunctionName);
      why = 'event source mapping';
    }
    if (why) {
      out.push({ resource: id, why, function: fn, role: fn ? functionRole(fn) : undefined });
      continue;
    }
    // A function's own role is used when it runs, which the cases above cover; a policy that
    // merely names a role (a principal) hands nobody anything.
    if (r.Type.startsWith('AWS::IAM::') || r.Type === 'AWS::Lambda::Function') continue;
    const role = [...roleProperties(props)].find((ref) => template.Resources[ref]?.Type === 'AWS::IAM::Role');
    if (role) out.push({ resource: id, why: `${r.Type} hands the service a role`, role });
  }
  return out;
}

/** Logical ids referenced under properties that pass a role (`…RoleArn`, `…Role`, `…RoleARN`). */
function roleProperties(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => roleProperties(v, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (/Role(Arn|ARN)?$/.test(k)) references(v, out);
      else roleProperties(v, out);
    }
  }
  return out;
}

/** Every policy that gives `role` its permissions, as resources of the template. */
export function policiesOfRole(template: CfnTemplate, role: string): string[] {
  const attached = [...ofType(template, 'AWS::IAM::Policy'), ...ofType(template, 'AWS::IAM::ManagedPolicy')]
    .filter(([, p]) => refersTo(p.Properties?.Roles, role)).map(([id]) => id);
  const byArn = [...references(template.Resources[role].Properties?.ManagedPolicyArns)]
    .filter((id) => template.Resources[id]?.Type === 'AWS::IAM::ManagedPolicy');
  return [...new Set([...attached, ...byArn])];
}

/** The invoke permissions (resource policy statements) of `fn`. */
export function invokePermissions(template: CfnTemplate, fn: string): string[] {
  return ofType(template, 'AWS::Lambda::Permission').filter(([, p]) => refersTo(p.Properties?.FunctionName, fn)).map(([id]) => id);
}

/** For each deploy-time action, what it needs to exist first and does not depend on. */
export function actionsRacingTheirPermissions(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const action of deployTimeActions(template)) {
    const needed = [
      ...(action.role ? [action.role, ...policiesOfRole(template, action.role)] : []),
      ...(action.function ? [action.function, ...invokePermissions(template, action.function)] : []),
    ];
    const closure = dependencyClosure(template, action.resource);
    const missing = needed.filter((id) => !closure.has(id));
    if (missing.length > 0) problems.push(`${action.resource} (${action.why}) does not depend on ${missing.join(', ')}`);
  }
  return problems;
}

/**
 * Resources that need an account-level setting: the setting must be a resource of the
 * template and the resource must depend on it.
 */
const ACCOUNT_SETTINGS: ReadonlyArray<{ readonly needs: (r: CfnResource) => boolean; readonly setting: string; readonly what: string }> = [
  {
    // Stage access logs and execution logs go through the account's API Gateway CloudWatch role.
    needs: (r) => r.Type === 'AWS::ApiGateway::Stage' && stageLogs(r),
    setting: 'AWS::ApiGateway::Account',
    what: "the account's API Gateway CloudWatch Logs role",
  },
];

function stageLogs(r: CfnResource): boolean {
  const p = r.Properties ?? {};
  const methods = (p.MethodSettings as Array<Record<string, unknown>> | undefined) ?? [];
  return p.AccessLogSetting !== undefined
    || methods.some((m) => (m.LoggingLevel !== undefined && m.LoggingLevel !== 'OFF') || m.DataTraceEnabled === true);
}

/** One-per-account-and-Region resources: a default must never create one (a second stack fails). */
const ACCOUNT_SINGLETONS = ['AWS::GuardDuty::Detector', 'AWS::SecurityHub::Hub', 'AWS::Macie::Session', 'AWS::Detective::Graph', 'AWS::Config::ConfigurationRecorder'];

export function accountSettingProblems(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    if (ACCOUNT_SINGLETONS.includes(r.Type)) problems.push(`${id} is a one-per-account ${r.Type}`);
    for (const s of ACCOUNT_SETTINGS) {
      if (!s.needs(r)) continue;
      const closure = dependencyClosure(template, id);
      if (![...closure].some((d) => template.Resources[d].Type === s.setting)) {
        problems.push(`${id} needs ${s.what} (${s.setting}), which the template neither creates nor orders before it`);
      }
    }
  }
  return problems;
}

/** Functions that reserve concurrency: a new account's quota (10) leaves none to reserve. */
export function reservedConcurrency(template: CfnTemplate): string[] {
  return ofType(template, 'AWS::Lambda::Function')
    .filter(([, r]) => r.Properties?.ReservedConcurrentExecutions !== undefined)
    .map(([id, r]) => `${id} reserves ${JSON.stringify(r.Properties!.ReservedConcurrentExecutions)}`);
}

/**
 * CloudWatch Logs resource policies the template uses (quota: 10 per account and Region):
 * explicit ones, and the one WAF's log delivery writes when a web ACL logs to CloudWatch Logs.
 */
export function logsResourcePolicies(template: CfnTemplate): string[] {
  const explicit = ofType(template, 'AWS::Logs::ResourcePolicy').map(([id]) => id);
  const custom = Object.entries(template.Resources).filter(([, r]) => r.Type === 'Custom::CloudwatchLogResourcePolicy').map(([id]) => id);
  const waf = ofType(template, 'AWS::WAFv2::LoggingConfiguration').length > 0 ? ['AWSWAF-LOGS (written by WAF log delivery, shared by every web ACL)'] : [];
  return [...explicit, ...custom, ...waf];
}
