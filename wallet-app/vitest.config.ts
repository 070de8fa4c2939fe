// Component tests of the wallet-app, in jsdom. Browser tests (real Chromium) live in e2e/ and run in the
// root's system project.
import { defineProject } from "vitest/config";
import react from "@vitejs/plugin-react";

export default defineProject({
  plugins: [react()],
  test: {
    name: "wallet-app",
    environment: "jsdom",
    include: ["test/**/*.test.{ts,tsx}"],
    setupFiles: ["../test/support/jsdom-setup.ts"],
  },
});
