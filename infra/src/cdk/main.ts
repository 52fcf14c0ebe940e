import { App } from 'aws-cdk-lib';
import { createConfabApp } from './app';

/**
 * The CDK app's entry point (`cdk.json`: `npx tsx src/cdk/main.ts`); configuration is context.
 * Under the CDK CLI the assembly goes where the CLI says; run alone (`npm run synth`), to cdk.out.
 */
const { app } = createConfabApp(
  new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' }),
  process.env,
);
const assembly = app.synth();
if (!process.env.CDK_OUTDIR) console.log(`synthesized into ${assembly.directory}`);
