import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createConfabApp } from '../app';

/** A violation cdk-nag (or CDK's own CloudFormation check) reported in the validation report. */
export interface Violation {
  plugin: string;
  rule: string;
  path: string;
}

export interface Finding {
  path: string;
  type: string;
  message: string;
}

export interface Synthesized {
  /** Each stack's template, by stack name. */
  templates: Map<string, Template>;
  /** Each stack's region, by stack name. */
  regions: Map<string, string>;
  /** Set when the synth failed (cdk-nag findings make it fail). */
  error?: unknown;
  violations: Violation[];
  /** Warnings and errors CDK and the constructs attached to the tree. */
  annotations: Finding[];
  /** Every acknowledged finding: where, which rule, why. */
  acknowledgments: { path: string; rule: string; reason: string }[];
  remove(): void;
}

/**
 * Synthesizes the app from `context` into a temporary folder, with cdk-nag as `cdk synth` runs
 * it, and keeps what the tests read. A failed validation still writes the templates, so the
 * template tests report their own findings rather than only the synth's error.
 */
export function synthesize(context: Record<string, string>): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'confab-cdk-'));
  const app = new App({ outdir, context });
  const { stack, certificateStack } = createConfabApp(app, {});
  let error: unknown;
  try {
    app.synth();
  } catch (caught) {
    error = caught;
  }
  const stacks = [stack, ...(certificateStack ? [certificateStack] : [])];
  const templates = new Map(
    stacks.map((one) => [
      one.stackName,
      Template.fromJSON(
        JSON.parse(readFileSync(join(outdir, one.templateFile), 'utf8')) as Record<string, unknown>,
      ),
    ]),
  );
  return {
    templates,
    regions: new Map(stacks.map((one) => [one.stackName, one.region])),
    ...(error === undefined ? {} : { error }),
    violations: readViolations(outdir),
    annotations: readAnnotations(outdir),
    acknowledgments: app.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([rule, reason]) => ({
            path: construct.node.path,
            rule,
            reason,
          })),
        ),
    ),
    remove: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

function readViolations(outdir: string): Violation[] {
  let report: ValidationReport;
  try {
    report = JSON.parse(
      readFileSync(join(outdir, 'validation-report.json'), 'utf8'),
    ) as ValidationReport;
  } catch {
    return [];
  }
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => ({
        plugin: plugin.pluginName,
        rule: violation.ruleName,
        path: construct.constructPath,
      })),
    ),
  );
}

interface Manifest {
  artifacts: Record<string, { metadata?: Record<string, { type: string; data: unknown }[]> }>;
}

function readAnnotations(outdir: string): Finding[] {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as Manifest;
  return Object.values(manifest.artifacts).flatMap((artifact) =>
    Object.entries(artifact.metadata ?? {}).flatMap(([path, entries]) =>
      entries
        .filter((entry) => entry.type === 'aws:cdk:warning' || entry.type === 'aws:cdk:error')
        .map((entry) => ({ path, type: entry.type, message: JSON.stringify(entry.data) })),
    ),
  );
}
