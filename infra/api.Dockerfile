# Confab API with the web client (SERVICES=api,client). Build from the repository root:
#   docker build -f infra/api.Dockerfile -t confab-api .
# Three stages: the client build (dev dependencies), the API's production dependencies alone,
# and the image: those dependencies, our TypeScript (run by tsx) and the built client.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY db/package.json db/
COPY sync-server/package.json sync-server/
COPY api/package.json api/
COPY client/package.json client/
COPY infra/package.json infra/
RUN npm ci --no-audit --no-fund
# The client imports the API's types; copy every package it may import.
COPY db db
COPY sync-server sync-server
COPY api api
COPY client client
RUN npm run build --workspace @confab/client

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY db/package.json db/
COPY sync-server/package.json sync-server/
COPY api/package.json api/
COPY client/package.json client/
COPY infra/package.json infra/
RUN npm ci --omit=dev --no-audit --no-fund --workspace @confab/api --include-workspace-root=false

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 SERVICES=api,client DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json tsconfig.base.json tsconfig.json ./
COPY db db
COPY sync-server sync-server
COPY api api
COPY --from=build /app/client/dist client/dist
# The task's root file system is read-only; Fargate mounts these two volumes with the owner and
# mode they have here (a path without VOLUME would be root's), so node can write to both.
RUN mkdir -p /data && chown node:node /data && chmod 1777 /tmp
VOLUME ["/data", "/tmp"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "api/src/main.ts"]
