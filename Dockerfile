# Oryne: multi-stage image. Build with `docker build -t oryne .`; run the API
# (`node bin/server.js`), workers (`node bin/cli.js worker --no-schedules`),
# the scheduler (`node bin/cli.js scheduler`) and migrations
# (`node bin/cli.js migrate`) from the same image. docs/operations.md.

FROM node:24-bookworm-slim AS build
WORKDIR /src
# onnxruntime-node ships its CPU binaries; its postinstall would download GPU extras.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
COPY packages/sdk/package.json packages/sdk/package.json
COPY tests/fixtures/npm tests/fixtures/npm
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:24-bookworm-slim AS runtime
# Memory (docs/operations.md, "Memory"): two glibc malloc arenas instead of one per thread
# (fragmentation, not live data, made most of a long run's RSS), a 32 MiB semi-space so that
# short-lived request garbage dies in the young generation, and a 384 MiB old generation so
# that V8 collects instead of growing its heap to twice the live data. Override at run time.
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip \
    HOST=0.0.0.0 \
    PORT=3333 \
    LOG_LEVEL=info \
    MALLOC_ARENA_MAX=2 \
    NODE_OPTIONS="--max-semi-space-size=32 --max-old-space-size=384"
# pg_dump/pg_restore for tenant backups.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/build ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
 && mkdir -p /app/storage && chown node:node /app/storage
USER node
EXPOSE 3333
HEALTHCHECK --interval=15s --timeout=3s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/server.js"]
