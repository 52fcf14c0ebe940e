import { App } from 'aws-cdk-lib';
import { createConfabApp } from './app';

/** The CDK app's entry point (`cdk.json`: `npx tsx src/cdk/main.ts`); configuration is context. */
const { app } = createConfabApp(new App(), process.env);
app.synth();
