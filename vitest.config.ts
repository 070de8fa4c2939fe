import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["sdk/test/**/*.test.ts", "backend/test/**/*.test.ts", "test/system/**/*.test.ts"],
    reporters: ["default"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Chain nodes and databases are real processes: keep files from fighting over the 2 cores.
    fileParallelism: false,
  },
});
