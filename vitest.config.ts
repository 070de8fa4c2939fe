import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default"],
    // Chain nodes, databases and browsers are real processes: keep files from fighting over the 2 cores.
    fileParallelism: false,
    projects: [
      {
        test: {
          name: "node",
          // Browser tests of the apps (e2e/) run here too: they drive Debian's Chromium from Node.
          include: ["sdk/test/**/*.test.ts", "backend/test/**/*.test.ts", "test/system/**/*.test.ts", "test/a11y/**/*.test.ts", "*-app/e2e/**/*.test.ts"],
          // Fails a test during which an error escaped to the process (uncaughtException, unhandledRejection).
          setupFiles: ["test/support/no-unhandled-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      "ui/vitest.config.ts",
      "wallet-app/vitest.config.ts",
      "merchant-app/vitest.config.ts",
      "staff-app/vitest.config.ts",
    ],
  },
});
