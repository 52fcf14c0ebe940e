import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/**
 * axe-core's source, injected into pages from Node: it is a test tool and never part of the
 * app's bundle.
 */
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  /** Each offending element: its selector and axe's summary of what is wrong. */
  nodes: { target: string; summary: string }[];
}

/** What axe finds wrong in the page as it is now (every rule axe runs by default). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's CSP (scripts from 'self' only)
  // does not govern; a script tag would be refused.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    type Axe = {
      run: (
        context: Document,
        options: object,
      ) => Promise<{
        violations: {
          id: string;
          impact?: string | null;
          help: string;
          nodes: { target: unknown[]; failureSummary?: string }[];
        }[];
      }>;
    };
    const axe = (window as unknown as { axe: Axe }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({
        target: node.target.map(String).join(' '),
        summary: node.failureSummary ?? '',
      })),
    }));
  });
}

const format = (violations: AxeViolation[]) =>
  violations
    .map(
      (violation) =>
        `${violation.impact} ${violation.id}: ${violation.help}\n${violation.nodes
          .slice(0, 5)
          .map((node) => `  - ${node.target}\n    ${node.summary.replace(/\n/g, '\n    ')}`)
          .join('\n')}`,
    )
    .join('\n');

/** Fails with axe's own explanation when the page has any serious or critical violation. */
export async function expectNoSeriousA11y(page: Page, where: string): Promise<void> {
  const bad = (await axeViolations(page)).filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  if (bad.length) throw new Error(`accessibility (${where}):\n${format(bad)}`);
}

/** Fails unless the page has exactly one main landmark and exactly one h1. */
export async function expectMainAndOneH1(page: Page, where: string): Promise<void> {
  const counts = await page.evaluate(() => ({
    main: document.querySelectorAll('main, [role="main"]').length,
    h1: document.querySelectorAll('h1').length,
  }));
  if (counts.main !== 1 || counts.h1 !== 1)
    throw new Error(`${where}: ${counts.main} main landmarks and ${counts.h1} h1 (want 1 and 1)`);
}
