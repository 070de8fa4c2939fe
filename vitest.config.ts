import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["sdk/test/**/*.test.ts"],
    reporters: ["default"],
  },
});
