import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = fileURLToPath(new URL('../../../bench-results/', import.meta.url));

/** Writes a benchmark's figures to bench-results/<name>-<time>.json (ignored by git) and says where. */
export async function writeBenchResults(name: string, figures: unknown): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(figures, null, 2)}\n`);
  console.info(`figures written to ${file}`);
}
