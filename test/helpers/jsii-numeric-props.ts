/**
 * The numeric props of the library's constructs, read from the jsii assembly (`.jsii`, written by
 * `npx projen compile`): every property typed `number` or `Duration` of each construct's props
 * struct, of the structs nested in it (option structs, array elements, aws-cdk-lib structs such
 * as `QuotaSettings`) and of value classes that carry one (`s3.ObjectLockRetention.duration`).
 * A prop added to the library appears here without anyone listing it.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

interface TypeRef {
  readonly primitive?: string;
  readonly fqn?: string;
  readonly collection?: { readonly kind: 'array' | 'map'; readonly elementtype: TypeRef };
  readonly union?: { readonly types: TypeRef[] };
}
interface Property {
  readonly name: string;
  readonly type: TypeRef;
  readonly static?: boolean;
  readonly docs?: { readonly summary?: string; readonly remarks?: string };
}
interface JsiiType {
  readonly fqn: string;
  readonly kind: 'class' | 'interface' | 'enum';
  readonly datatype?: boolean;
  readonly base?: string;
  readonly interfaces?: string[];
  readonly properties?: Property[];
  readonly initializer?: { readonly parameters?: Array<{ readonly name: string; readonly type: TypeRef }> };
}
interface Assembly { readonly name: string; readonly types: Record<string, JsiiType> }

export interface NumericProp {
  /** The construct class, e.g. `HardenedRestApi`. */
  readonly construct: string;
  /** The prop's path in the construct's props: `waf.rateLimit`, `waf.additionalManagedRuleGroups[].capacity`. */
  readonly path: string;
  readonly type: 'number' | 'Duration';
  /**
   * The doc comments (summary and remarks) of the prop and of the props that contain it: the
   * range of a prop of an aws-cdk-lib struct (`usagePlan.quota.limit`) is documented on ours (`quota`).
   */
  readonly docs: string;
}

const ROOT = path.join(__dirname, '..', '..');

function readAssembly(dir: string): Assembly {
  const file = path.join(dir, '.jsii');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npx projen compile\` first`);
  const text = fs.readFileSync(file, 'utf8');
  const parsed = JSON.parse(text) as Assembly & { schema?: string; filename?: string };
  if (parsed.schema !== 'jsii/file-redirect') return parsed;
  return JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(dir, parsed.filename!))).toString()) as Assembly;
}

/** Every numeric prop of every construct the library's assembly exports. */
export function numericProps(): NumericProp[] {
  const own = readAssembly(ROOT);
  let cdk: Assembly | undefined;
  const lookup = (fqn: string): JsiiType | undefined => {
    if (own.types[fqn]) return own.types[fqn];
    if (!fqn.startsWith('aws-cdk-lib.')) return undefined;
    cdk ??= readAssembly(path.dirname(require.resolve('aws-cdk-lib/package.json')));
    return cdk.types[fqn];
  };
  const isConstruct = (t: JsiiType): boolean => {
    for (let c: JsiiType | undefined = t; c; c = c.base ? lookup(c.base) : undefined) {
      if (c.base === 'constructs.Construct') return true;
    }
    return false;
  };
  const propertiesOf = (t: JsiiType): Property[] => [
    ...(t.properties ?? []).filter((p) => !p.static),
    ...(t.interfaces ?? []).flatMap((i) => { const parent = lookup(i); return parent ? propertiesOf(parent) : []; }),
  ];

  const out: NumericProp[] = [];
  const walk = (construct: string, prefix: string, type: JsiiType, seen: ReadonlySet<string>, docs = ''): void => {
    for (const p of propertiesOf(type)) {
      visit(construct, `${prefix}${p.name}`, p.type, `${docs}\n${p.docs?.summary ?? ''}\n${p.docs?.remarks ?? ''}`, seen);
    }
  };
  const visit = (construct: string, at: string, ref: TypeRef, docs: string, seen: ReadonlySet<string>): void => {
    if (ref.primitive === 'number' || ref.fqn === 'aws-cdk-lib.Duration') {
      out.push({ construct, path: at, type: ref.primitive === 'number' ? 'number' : 'Duration', docs });
      return;
    }
    if (ref.collection) return visit(construct, `${at}${ref.collection.kind === 'array' ? '[]' : '{}'}`, ref.collection.elementtype, docs, seen);
    if (ref.union) return ref.union.types.forEach((t) => visit(construct, at, t, docs, seen));
    if (!ref.fqn || seen.has(ref.fqn)) return;
    const t = lookup(ref.fqn);
    // Structs are walked; so are value classes (not constructs) that hold a number or Duration.
    if (!t || (t.kind === 'class' && isConstruct(t)) || (t.kind === 'interface' && !t.datatype)) return;
    walk(construct, `${at}.`, t, new Set([...seen, ref.fqn]), docs);
  };

  for (const t of Object.values(own.types)) {
    if (t.kind !== 'class' || !isConstruct(t)) continue;
    const props = (t.initializer?.parameters ?? []).find((p) => p.name === 'props');
    const propsType = props?.type.fqn ? lookup(props.type.fqn) : undefined;
    if (propsType) walk(t.fqn.split('.').pop()!, '', propsType, new Set([props!.type.fqn!]));
  }
  return out;
}
