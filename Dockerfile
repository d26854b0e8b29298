# syntax=docker/dockerfile:1
# The spokegraph gateway image: `npm run build` (the bundled gateway) on production dependencies
# only, run by plain Node as a non-root user.
#
#   docker build -t spokegraph:0.1.0 .
#   docker run -p 4000:4000 -v spokegraph-data:/data spokegraph:0.1.0            # SQLite + simulated hub
#   docker run … spokegraph:0.1.0 migrate                                        # migrate and exit
#
# Pin NODE_IMAGE to a digest (node:20-bookworm-slim@sha256:…) for reproducible builds.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies (esbuild, Vite), the bundle and the web console, then only
# production dependencies are kept
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles its native module when no prebuilt binary matches (node-gyp needs these)
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY migrations ./migrations
COPY crds ./crds
COPY deploy/addons ./deploy/addons
COPY deploy/klusterlet ./deploy/klusterlet
COPY web ./web
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: the bundle and production node_modules, owned by root and read-only to the gateway
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# DATA_DIR: the SQLite file and the simulated hub's state; the only place the gateway writes
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME ["/data"]
# the `node` user of the base image, numeric so Kubernetes' runAsNonRoot can verify it
USER 1000:1000
EXPOSE 4000
# no curl in the image: Node's own fetch asks /healthz
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# --max-semi-space-size: NODE_FLAGS in scripts/build.mjs (a larger young generation for the load)
ENTRYPOINT ["node", "--enable-source-maps", "--max-semi-space-size=64", "dist/spokegraph.mjs"]
CMD ["serve"]
