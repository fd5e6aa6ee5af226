/**
 * The layout holds: no import cycles in src/ or lambda-src/ (type-only imports count), construct
 * families depend one way, handlers share only pure modules with the constructs, and src/index.ts
 * only re-exports.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { ImportGraph, importCycles, importGraph, layeringViolations } from './helpers/import-graph';

const ROOT = path.join(__dirname, '..');
const graph = importGraph(ROOT, ['src', 'lambda-src']);

/** Which families each family may import: shared plumbing at the bottom, HardenedRestApi at the top. */
const SRC_LAYERS: Record<string, string[]> = {
  'shared': [],
  'notifications': ['shared'],
  'least-privilege': ['shared'],
  'bundled-function': ['shared', 'least-privilege'],
  'jwt-keys': ['shared', 'notifications', 'least-privilege', 'bundled-function'],
  'authorizer': ['shared', 'notifications', 'least-privilege', 'bundled-function', 'jwt-keys'],
  'rest-api': ['shared', 'notifications', 'least-privilege', 'bundled-function', 'jwt-keys', 'authorizer'],
  'audit-trail': ['shared', 'notifications'],
};

/** Handlers: the secret's format at the bottom, one folder per bundled asset above it. */
const HANDLER_LAYERS: Record<string, string[]> = {
  'key-ring': [],
  'jwt': ['key-ring'],
  'rotation': ['key-ring', 'jwt'],
  'issuer': ['key-ring', 'jwt'],
  'authorizer': ['key-ring', 'jwt'],
  'authorizer-jwks': ['key-ring', 'jwt', 'authorizer'],
};

describe('import graph of src/ and lambda-src/', () => {
  test('reads every source file, type-only imports included', () => {
    expect(graph.size).toBeGreaterThan(100);
    // A type-only import (jwt-authorizer-environment.ts takes JwtAuthorizerProps as a type) is an edge.
    expect(graph.get('src/authorizer/jwt-authorizer-environment.ts')).toContain('src/authorizer/jwt-authorizer-props.ts');
  });

  test('has no import cycle', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  test('construct families import only the families below them', () => {
    expect(layeringViolations(graph, 'src/', SRC_LAYERS)).toEqual([]);
  });

  test('handler folders import only the folders below them', () => {
    const handlers = new Map([...graph].map(([f, targets]) => [f, targets.filter((t) => t.startsWith('lambda-src/'))]));
    expect(layeringViolations(handlers, 'lambda-src/', HANDLER_LAYERS)).toEqual([]);
  });

  test('a handler imports from src/ only modules free of aws-cdk-lib and constructs, and src/ never imports a handler', () => {
    const shared = new Set([...graph].filter(([f]) => f.startsWith('lambda-src/')).flatMap(([, t]) => t.filter((x) => x.startsWith('src/'))));
    expect([...shared]).toEqual(['src/authorizer/authorizer-contract.ts']);
    for (const file of shared) {
      const modules = ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), 'utf8'), true, true).importedFiles.map((i) => i.fileName);
      expect(modules.filter((m) => !m.startsWith('.'))).toEqual([]);
      expect(graph.get(file)).toEqual([]);
    }
    const intoHandlers = [...graph].filter(([f]) => f.startsWith('src/')).flatMap(([f, t]) => t.filter((x) => x.startsWith('lambda-src/')).map((x) => `${f} -> ${x}`));
    expect(intoHandlers).toEqual([]);
  });

  test('src/index.ts only re-exports, and every family it names is a folder of src/', () => {
    const lines = fs.readFileSync(path.join(ROOT, 'src', 'index.ts'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('//'));
    for (const line of lines) expect(line).toMatch(/^export \* from '\.\/[a-z-]+\/[a-z-]+';$/);
    expect(graph.get('src/index.ts')!.every((f) => f.split('/').length === 3)).toBe(true);
  });

  test('every folder of src/ has a place in the layering', () => {
    const folders = fs.readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(folders).toEqual(Object.keys(SRC_LAYERS).sort());
  });
});

describe('the checks themselves', () => {
  const g = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

  test('a cycle of two, of three and a self-import are each reported; a diamond is not', () => {
    expect(importCycles(g({ 'a.ts': ['b.ts'], 'b.ts': ['a.ts'] }))).toEqual([['a.ts', 'b.ts']]);
    expect(importCycles(g({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts'], 'd.ts': ['a.ts'] }))).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(importCycles(g({ 'a.ts': ['a.ts'] }))).toEqual([['a.ts']]);
    expect(importCycles(g({ 'a.ts': ['b.ts', 'c.ts'], 'b.ts': ['d.ts'], 'c.ts': ['d.ts'], 'd.ts': [] }))).toEqual([]);
  });

  test('an import that runs up the layering, and a folder with no place in it, are reported', () => {
    const graphUp = g({
      'src/shared/validation.ts': ['src/rest-api/hardened-rest-api.ts'],
      'src/rest-api/hardened-rest-api.ts': ['src/shared/validation.ts'],
      'src/extra/thing.ts': [],
      'src/index.ts': ['src/extra/thing.ts'],
    });
    expect(layeringViolations(graphUp, 'src/', SRC_LAYERS)).toEqual([
      'src/extra/thing.ts: folder extra has no place in the layering',
      'src/shared/validation.ts -> src/rest-api/hardened-rest-api.ts',
    ]);
  });

  test('the graph reader fails on an import it cannot resolve instead of dropping the edge', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-graph-'));
    try {
      fs.mkdirSync(path.join(dir, 'src'));
      fs.writeFileSync(path.join(dir, 'src', 'a.ts'), "import type { B } from './b';\nexport const a = 1;\n");
      expect(() => importGraph(dir, ['src'])).toThrow(/src\/a\.ts imports \.\/b, which resolves to no file/);
      fs.writeFileSync(path.join(dir, 'src', 'b.ts'), "import { a } from './a';\nexport type B = typeof a;\n");
      expect(importCycles(importGraph(dir, ['src']))).toEqual([['src/a.ts', 'src/b.ts']]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
