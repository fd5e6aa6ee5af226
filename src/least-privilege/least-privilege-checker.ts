import { CfnResource, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { STATEMENT_CHECKS, checkStatements, statementsOf } from './checks';
import type { LeastPrivilegeFinding } from './least-privilege-finding';

/**
 * Reports identity-policy statements that grant more than they name: `*` and `service:*`
 * actions, action patterns (`s3:GetObject*`, as grant*() methods write them), `NotAction`,
 * `NotResource`, and `Resource: '*'` on actions that support
 * resource-level permissions (actions with no resource type, listed from the Service
 * Authorization Reference, may use `*`), and `cloudwatch:PutMetricData` without a
 * `cloudwatch:namespace` condition (what `metric.grantPutMetricData()` writes). Only `Allow`
 * statements are checked. A finding on a
 * statement that a LeastPrivilegeLambdaPolicies typed permission could grant names that
 * permission (`typedPermission` and the message).
 *
 * Register it like a cdk-nag v3 pack, so synthesis reports the findings:
 *
 *   Validations.of(app).addPlugins(new LeastPrivilegeChecker(app));
 *
 * or call `LeastPrivilegeChecker.check(scope)` in a test. A finding acknowledged with
 * `Validations.of(c).acknowledge({ id: findingId, reason })` on the resource or one of its
 * ancestors (or by rule id, for every finding of that rule) is not reported.
 */
export class LeastPrivilegeChecker implements IPolicyValidationPlugin {
  /**
   * Every unacknowledged finding under `scope`, in construct-tree order.
   */
  public static check(scope: IConstruct): LeastPrivilegeFinding[] {
    const findings: LeastPrivilegeFinding[] = [];
    for (const c of scope.node.findAll()) {
      if (!CfnResource.isCfnResource(c)) continue;
      findings.push(...checkStatements(statementsOf(c)).filter((f) => !isAcknowledged(c, f)));
    }
    return findings;
  }

  /** The plugin name shown in the synthesis validation report. */
  public readonly name: string = 'LeastPrivilegeChecker';

  /** The rules this plugin evaluates. */
  public readonly ruleIds?: string[] = STATEMENT_CHECKS.map((c) => c.ruleId);

  private readonly scope?: IConstruct;

  /**
   * @param scope the construct tree to check when run as a validation plugin (normally the App).
   * Needed because aws-cdk-lib gives plugins template paths only, and findings name construct paths.
   */
  constructor(scope?: IConstruct) {
    this.scope = scope;
  }

  /**
   * Called by the CDK validation framework during synthesis.
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const scope = (context as { appConstruct?: IConstruct }).appConstruct ?? this.scope;
    if (!scope) {
      throw new Error('LeastPrivilegeChecker needs the construct tree: construct it with the App, `new LeastPrivilegeChecker(app)`');
    }
    return this.validateScope(scope);
  }

  /**
   * Checks a construct tree directly and returns the report that `validate` would.
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    const violations: PolicyViolation[] = [];
    for (const f of LeastPrivilegeChecker.check(scope)) {
      let violation = violations.find((v) => v.ruleName === f.findingId);
      if (!violation) {
        violation = { ruleName: f.findingId, description: f.message, severity: 'error', violatingResources: [] };
        violations.push(violation);
      }
      violation.violatingResources.push({ constructPath: f.constructPath, locations: [f.statement] });
    }
    return { success: violations.length === 0, violations };
  }
}

function isAcknowledged(resource: IConstruct, finding: LeastPrivilegeFinding): boolean {
  let current: IConstruct | undefined = resource;
  while (current) {
    for (const entry of current.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      const ids = Object.keys(entry.data as Record<string, string>).map((k) => k.replace(/^annotation::/i, ''));
      if (ids.includes(finding.findingId) || ids.includes(finding.ruleId)) return true;
    }
    current = current.node.scope;
  }
  return false;
}
