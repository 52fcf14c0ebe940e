import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_ERROR_CODES } from './error-codes';

const SOURCE = join(import.meta.dirname, '..');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
    }),
  );
  return nested.flat();
}

describe('API error codes', () => {
  it('lists every code the API source answers with, and no code it never uses', async () => {
    const used = new Set<string>();
    for (const file of await sourceFiles(SOURCE)) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(
        /(?:ApiError\(\s*\d+,\s*|errorBody\(\s*|code === )'([a-z_]+)'/g,
      ))
        used.add(match[1] as string);
    }
    expect([...used].sort()).toEqual([...API_ERROR_CODES].sort());
  });
});
