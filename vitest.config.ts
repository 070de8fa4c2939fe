import { defineConfig } from "vitest/config";

// Each file of the backend starts its own chain node and database (a throwaway PostgreSQL cluster, or
// PGlite), so two run side by side on the 2 cores. The tests of the whole system and of the apps in
// Chromium run after them, one at a time: they start the system, most of them a browser too.
const WORKERS = 2;
const node = {
  // Fails a test during which an error escaped to the process (uncaughtException, unhandledRejection).
  setupFiles: ["test/support/no-unhandled-setup.ts"],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    reporters: ["default"],
    maxWorkers: WORKERS,
    projects: [
      {
        test: { ...node, name: "node", include: ["sdk/test/**/*.test.ts", "backend/test/**/*.test.ts"], sequence: { groupOrder: 0 } },
      },
      // The apps' component tests (jsdom) run with the backend's files: same group, same workers.
      ...["ui", "wallet-app", "merchant-app", "staff-app"].map((app) => ({ extends: `${app}/vitest.config.ts`, root: app, test: { sequence: { groupOrder: 0 } } })),
      {
        test: {
          ...node,
          name: "system",
          // Browser tests of the apps (e2e/) drive Debian's Chromium from Node.
          include: ["test/system/**/*.test.ts", "test/a11y/**/*.test.ts", "*-app/e2e/**/*.test.ts"],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
