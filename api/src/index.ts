export { type AppOptions, createApp } from './app';
export { type ApiEnv, apiEnvSchema, loadApiEnv, type ServiceName } from './env';
export { ApiError, errorBody } from './errors';
export { type RunningServer, startServer } from './server';
