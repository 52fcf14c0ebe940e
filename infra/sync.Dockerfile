# Confab sync server alone (the /sync/ WebSockets). Build from the repository root:
#   docker build -f infra/sync.Dockerfile -t confab-sync .
# Two stages: the sync server's production dependencies alone, then the image with our
# TypeScript (run by tsx). Needs DATABASE_URL, REDIS_URL and ALLOWED_ORIGINS.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY db/package.json db/
COPY sync-server/package.json sync-server/
COPY api/package.json api/
COPY client/package.json client/
COPY infra/package.json infra/
RUN npm ci --omit=dev --no-audit --no-fund --workspace @confab/sync-server --include-workspace-root=false

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3001 DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json tsconfig.base.json tsconfig.json ./
COPY db db
COPY sync-server sync-server
# The task's root file system is read-only; Fargate mounts these two volumes with the owner and
# mode they have here (a path without VOLUME would be root's), so node can write to both.
RUN mkdir -p /data && chown node:node /data && chmod 1777 /tmp
VOLUME ["/data", "/tmp"]
USER node
EXPOSE 3001
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "sync-server/src/main.ts"]
