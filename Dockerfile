# prescale as a container: `docker build -t prescale .`, then deploy/stack.yml (Swarm) or
# deploy/compose.yml (Compose). Any Node 20 image with npm and /bin/sh can be the base:
#   docker build --build-arg BASE_IMAGE=registry.example/node:20 -t prescale .
ARG BASE_IMAGE=node:20-bookworm-slim

# 1. Compile TypeScript with the dev dependencies, then drop them: what is left is the runtime's.
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --omit=optional: @tensorflow/tfjs-node downloads libtensorflow at install time; the image runs the
# wasm backend instead. --ignore-scripts: nothing at runtime needs an install script, and the
# package's own `prepare` (tsc) runs below once the sources are in.
RUN npm ci --omit=optional --ignore-scripts --no-audit --no-fund
# The sources, the shipped sample and models (.dockerignore keeps the context to them).
COPY . .
# Then /out holds what runs, so that the runtime stage takes it in one COPY. Source maps are half
# of node_modules (TensorFlow.js's bundles) and nothing reads them at runtime.
RUN npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && find node_modules -name '*.map' -type f -exec rm -f {} + \
 && mkdir /out \
 && mv package.json bin data models dist node_modules /out/ \
 && rm -rf /root/.npm

# 2. The runtime: node, the production node_modules, dist/, the shipped sample and models.
# Everything but the files comes first: each later step would copy node_modules again.
FROM ${BASE_IMAGE}
ARG BASE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="prescale" \
      org.opencontainers.image.description="Predictive autoscaler for Docker Swarm and Compose: forecasts each service's load and scales ahead of the peak." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"
ENV NODE_ENV=production \
    PRESCALE_STATE_DIR=/var/lib/prescale \
    PRESCALE_MODELS=/app/models \
    PRESCALE_PORT=8080
WORKDIR /app
# `prescale` on PATH; the state directory owned by the runtime user (uid 1000: `node` in the
# official images). The Docker socket's group is given at run time (README: the socket).
RUN ln -s /app/bin/prescale.js /usr/local/bin/prescale \
 && mkdir -p /var/lib/prescale \
 && chown 1000:1000 /var/lib/prescale
VOLUME ["/var/lib/prescale"]
EXPOSE 8080
# node's own fetch: the image needs no curl. Healthy on a 200 within 3 s.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PRESCALE_PORT||8080)+'/healthz',{signal:AbortSignal.timeout(3000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
USER 1000:1000
ENTRYPOINT ["prescale"]
CMD ["serve"]
# root owns the files: the service can read them, not change them
COPY --from=build /out /app
