import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Relative specifiers of static imports and re-exports, dynamic import() included. */
const IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level folder of src/ a path is in ('.' for a file directly in src/). */
function layer(path: string): string {
  const parts = relative(SRC, path).split(sep);
  return parts.length > 1 ? parts[0]! : '.';
}

/**
 * The folder dependency graph of src/: an edge a -> b when a module in a imports one in b, with the first
 * import seen as its witness. Tests and testkits are left out: a test may reach upward to exercise its
 * layer end to end (graph's tests run graphs in runtime), which says nothing about the layering.
 */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sources(SRC)) {
    if (/\.test(kit)?\.ts$/.test(file)) continue;
    const from = layer(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), spec!);
      if (!target.startsWith(SRC + sep)) continue;
      const to = layer(target);
      if (to !== from && !edges.has(to)) edges.set(to, `${relative(SRC, file)} imports '${spec}'`);
    }
  }
  return graph;
}

/** A cycle as a list of folders (first = last) with each edge's witness, or null when there is none. */
function findCycle(graph: Map<string, Map<string, string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (state.get(next) === 'open') {
        const loop = [...path.slice(path.indexOf(next)), next];
        return loop.slice(1).map((to, i) => `${loop[i]} -> ${to} (${graph.get(loop[i]!)!.get(to)})`);
      }
      if (state.get(next) === undefined) {
        const found = visit(next);
        if (found !== null) return found;
      }
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.get(node) !== undefined) continue;
    const found = visit(node);
    if (found !== null) return found;
  }
  return null;
}

describe('the layers of src/', () => {
  const graph = folderGraph();

  it('import each other without a cycle between top-level folders', () => {
    expect(graph.size).toBeGreaterThan(10);
    expect(findCycle(graph)).toBeNull();
  });

  it('find a cycle when there is one (the check itself)', () => {
    const looped = new Map([
      ['a', new Map([['b', 'a/x.ts']])],
      ['b', new Map([['c', 'b/y.ts']])],
      ['c', new Map([['a', 'c/z.ts']])],
    ]);
    expect(findCycle(looped)).toEqual(['a -> b (a/x.ts)', 'b -> c (b/y.ts)', 'c -> a (c/z.ts)']);
  });

  it('keep numeric/ on core/ alone: the kernels sit below every user of them', () => {
    expect([...(graph.get('numeric')?.keys() ?? [])]).toEqual(['core']);
    expect(graph.get('predict')?.has('strategy')).toBe(false);
  });
});
