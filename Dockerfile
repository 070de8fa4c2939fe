# Tegoed's backend with the three apps it serves. Two stages: the build stage has every dev dependency
# (Hardhat, solc, Vite) to compile the contracts' ABIs and build the apps; the run stage has only the
# production dependencies, the backend's sources (Node 22 runs TypeScript by stripping its types), the
# built apps and the deployment file, and runs as the unprivileged `node` user.
# Build: docker build -t tegoed .   Run: see compose.yaml and docs/operations.md.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY sdk/package.json sdk/
COPY ui/package.json ui/
COPY backend/package.json backend/
COPY wallet-app/package.json wallet-app/
COPY merchant-app/package.json merchant-app/
COPY staff-app/package.json staff-app/
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run compile && npm run build:apps \
 && npm prune --omit=dev --omit=optional --no-audit --no-fund

FROM node:22-bookworm-slim AS run
ENV NODE_ENV=production PORT=8080 DATA_DIR=/var/lib/tegoed
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/sdk/package.json ./sdk/
COPY --from=build /app/sdk/src ./sdk/src
COPY --from=build /app/backend/package.json ./backend/
COPY --from=build /app/backend/src ./backend/src
COPY --from=build /app/scripts/lib ./scripts/lib
COPY --from=build /app/wallet-app/package.json ./wallet-app/
COPY --from=build /app/wallet-app/dist ./wallet-app/dist
COPY --from=build /app/merchant-app/package.json ./merchant-app/
COPY --from=build /app/merchant-app/dist ./merchant-app/dist
COPY --from=build /app/staff-app/package.json ./staff-app/
COPY --from=build /app/staff-app/dist ./staff-app/dist
RUN mkdir -p /var/lib/tegoed && chown node:node /var/lib/tegoed
USER node
EXPOSE 8080
# Liveness of the process; readiness (database, chain, indexer) is the load balancer's /api/health check.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/api/health').then((r) => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))"]
CMD ["node", "backend/src/main.ts"]
