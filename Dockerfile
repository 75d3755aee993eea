# Shunt's worker and api (docker-compose.yml runs one container of each from this image).
# They run as the unprivileged user `shunt`, never root: the worker runs git and the promotion
# steps on the data that repositories and manifests bring in.
FROM node:20.19-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
RUN groupadd --system shunt && useradd --system --gid shunt --home-dir /data --shell /usr/sbin/nologin shunt \
 && mkdir -p /data && chown shunt:shunt /data && chmod 700 /data
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
# The Temporal binaries are not needed in the image: it talks to the compose Temporal server.
RUN TEMPORAL_CLI_PATH=/bin/true TEMPORAL_TEST_SERVER_PATH=/bin/true npm ci
COPY . .
RUN npm run build && npm prune --omit=dev
ENV SHUNT_DATA_DIR=/data
VOLUME /data
USER shunt
CMD ["node", "--max-semi-space-size=1", "--heap-growing-percent=10", "--max-old-space-size=384", "dist/worker/main.js"]
