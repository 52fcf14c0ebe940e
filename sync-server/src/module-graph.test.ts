import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The dependency rules of sync-server's own modules (STYLE.md: no cycles; the engine behind its
 * ports), read from their relative imports, type-only ones included. Tests and test kits are left
 * out: they may wire anything to anything.
 */
const root = dirname(fileURLToPath(import.meta.url));
const isTestSupport = (path: string) => /\.test\.ts$|test-kit\.ts$|-contract\.ts$/.test(path);
const modules = readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter((path) => path.endsWith('.ts') && !isTestSupport(path))
  .map((path) => path.split('\\').join('/'));
const known = new Set(modules);

const IMPORT = /(?:import|export)\s[^'";]*?from\s+'(\.{1,2}\/[^']+)'/g;
function importsOf(module: string): string[] {
  const source = readFileSync(join(root, module), 'utf8');
  return [...source.matchAll(IMPORT)].map((match) => {
    const target = relative(root, normalize(join(root, dirname(module), `${match[1]}.ts`)));
    expect(known, `${module} imports ${match[1]}`).toContain(target);
    return target;
  });
}
const graph = new Map(modules.map((module) => [module, importsOf(module)]));

/** Every import cycle, as the chain of modules it passes through. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (module: string) => {
    state.set(module, 'open');
    path.push(module);
    for (const next of graph.get(module) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(module, 'done');
  };
  for (const module of modules) if (!state.has(module)) visit(module);
  return found;
}

describe("sync-server's module graph", () => {
  it('reads the imports it checks', () => {
    expect(graph.get('engine/doc-room.ts')).toContain('engine/ports.ts');
    expect(graph.get('sync-service.ts')).toContain('engine/doc-room.ts');
  });

  it('has no import cycle', () => {
    expect(cycles()).toEqual([]);
  });

  it('keeps the engine free of adapters: engine/ imports nothing outside engine/', () => {
    const outside = [...graph]
      .filter(([module]) => module.startsWith('engine/'))
      .flatMap(([module, targets]) =>
        targets.filter((target) => !target.startsWith('engine/')).map((t) => `${module} -> ${t}`),
      );
    expect(outside).toEqual([]);
  });
});
