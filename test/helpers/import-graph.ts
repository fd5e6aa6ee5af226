/**
 * The relative-import graph of a source tree, read with TypeScript's own pre-processor (import,
 * `import type`, `export … from`, `import()` and `require()` alike: a type-only import still ties
 * two files together), and the two rules test/architecture.test.ts holds it to.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** File → the files it imports, every path relative to `root`, with '/' separators. */
export type ImportGraph = ReadonlyMap<string, ReadonlyArray<string>>;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

function resolveImport(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  return [base, `${base}.ts`, `${base}.d.ts`, path.join(base, 'index.ts')]
    .find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
}

/** The graph of every .ts file under `dirs` (relative to `root`); imports of files outside them are kept. */
export function importGraph(root: string, dirs: ReadonlyArray<string>): ImportGraph {
  const graph = new Map<string, string[]>();
  const rel = (f: string): string => path.relative(root, f).split(path.sep).join('/');
  for (const file of dirs.flatMap((d) => sourceFiles(path.join(root, d)))) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((i) => i.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => {
        const target = resolveImport(file, spec);
        if (!target) throw new Error(`${rel(file)} imports ${spec}, which resolves to no file`);
        return rel(target);
      });
    graph.set(rel(file), [...new Set(targets)].sort());
  }
  return graph;
}

/** Every import cycle (strongly connected component of more than one file, or a self-import). */
export function importCycles(graph: ImportGraph): string[][] {
  // Tarjan's strongly connected components; recursion depth is bounded by the file count.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter); low.set(v, counter); counter++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/**
 * Imports that cross from one folder (a construct family) into another that `allowed` does not
 * list for it, as `from -> to` lines. A folder is the first path segment after `prefix`; files
 * directly in `prefix` (src/index.ts) are not checked.
 */
export function layeringViolations(
  graph: ImportGraph, prefix: string, allowed: Readonly<Record<string, ReadonlyArray<string>>>,
): string[] {
  const familyOf = (file: string): string | undefined => {
    if (!file.startsWith(prefix)) return undefined;
    const parts = file.slice(prefix.length).split('/');
    return parts.length > 1 ? parts[0] : undefined;
  };
  const violations: string[] = [];
  for (const [from, targets] of graph) {
    const family = familyOf(from);
    if (family === undefined) continue;
    if (!(family in allowed)) { violations.push(`${from}: folder ${family} has no place in the layering`); continue; }
    for (const to of targets) {
      const target = familyOf(to);
      if (target !== undefined && target !== family && !allowed[family].includes(target)) violations.push(`${from} -> ${to}`);
    }
  }
  return violations.sort();
}
