/**
 * Control Tower's proactive controls (the cfn-guard rules that ship in
 * `@cdklabs/cdk-validator-cfnguard`, with the cfn-guard binary for this platform) run directly
 * on synthesized templates. Driving the plugin's validator on template files, rather than
 * registering it as a policy-validation plugin of an App, lets one guard run cover every
 * template and returns the violations to the test instead of printing them at synth.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { HardenedRestApi, JwtAuthorizer, LeastPrivilegeLambdaPolicies, RotatingJwtSecret, SecurityAuditAlarms, SecurityAuditArchive, SecurityAuditTrail } from '../../src';

/** The library's constructs: a violation counts when its resource sits under one of them. */
const LIBRARY_CONSTRUCTS = {
  RotatingJwtSecret, JwtAuthorizer, HardenedRestApi, LeastPrivilegeLambdaPolicies, SecurityAuditTrail, SecurityAuditArchive, SecurityAuditAlarms,
};

export interface ControlViolation {
  /** The template's name (the construct class, or `demo`). */
  readonly template: string;
  /** The Control Tower control id, e.g. `CT.LAMBDA.PR.3`. */
  readonly control: string;
  /**
   * The violating resource: the innermost library construct that holds it and the path below it,
   * e.g. `RotatingJwtSecret/RotationFunction/Resource`, the same in every template.
   */
  readonly resource: string;
}

/** The resource name given to a violation cfn-guard reports without a location. */
export const UNLOCATED = '(not located by cfn-guard)';

const CONTROL_ID = /^\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/;

/**
 * Every failing control in the given stacks' templates, one entry per control and resource.
 * Resources the library does not create (a test's own function or API) are left out.
 */
export function controlTowerViolations(
  stacks: ReadonlyArray<{ readonly name: string; readonly stack: Stack; readonly template?: unknown }>,
): ControlViolation[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'control-tower-'));
  try {
    const files = new Map<string, { name: string; stack: Stack }>();
    for (const { name, stack, template } of stacks) {
      const file = path.join(dir, `${name}.template.json`);
      // `template`: a stack that is no deployable artifact (a StackSet's member), read from the assembly.
      fs.writeFileSync(file, JSON.stringify(template ?? Template.fromStack(stack).toJSON()));
      files.set(file, { name, stack });
    }
    const report = new CfnGuardValidator().validate({ templatePaths: [...files.keys()] });
    const out: ControlViolation[] = [];
    for (const violation of report.violations) {
      const control = CONTROL_ID.exec(violation.description)?.[1];
      if (!control) throw new Error(`cfn-guard rule ${violation.ruleName} has no Control Tower id in "${violation.description}"`);
      for (const resource of violation.violatingResources) {
        const source = files.get(resource.templatePath);
        if (!source) throw new Error(`cfn-guard reported an unknown template ${resource.templatePath}`);
        const owned = libraryPath(source.stack, resource.resourceLogicalId);
        if (owned === undefined) continue;
        const entry = { template: source.name, control, resource: owned };
        if (!out.some((v) => v.template === entry.template && v.control === entry.control && v.resource === entry.resource)) out.push(entry);
      }
    }
    if (!report.success && out.length === 0) throw new Error('cfn-guard reported a failure without a violation');
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `<LibraryClass>/<path below it>` of the resource with this logical id, or undefined when no
 * library construct holds it.
 */
function libraryPath(stack: Stack, logicalId: string | undefined): string | undefined {
  // The plugin loses the location of some checks (e.g. a key policy that lacks a statement).
  if (!logicalId) return UNLOCATED;
  const element = stack.node.findAll().find((c): c is CfnElement => CfnElement.isCfnElement(c) && stack.resolve(c.logicalId) === logicalId);
  if (!element) throw new Error(`cfn-guard reported ${logicalId}, which is not a resource of ${stack.stackName}`);
  const scopes = element.node.scopes;
  for (let i = scopes.length - 2; i >= 0; i--) {
    const owner = libraryClass(scopes[i]);
    if (owner) return [owner, ...scopes.slice(i + 1).map((c) => c.node.id)].join('/');
  }
  return undefined;
}

function libraryClass(c: IConstruct): string | undefined {
  // By name too: an example app builds the library from lib/ (the package), not from src/.
  return Object.entries(LIBRARY_CONSTRUCTS).find(([name, cls]) => c instanceof cls || c.constructor.name === name)?.[0];
}
