// Tests of what the apps share: money, the i18n set-up and its chooser (jsdom), and the key parity of
// every app's translation files against the language lists in @tegoed/sdk/languages.
import { defineProject } from "vitest/config";
import react from "@vitejs/plugin-react";

export default defineProject({
  plugins: [react()],
  test: {
    name: "ui",
    environment: "jsdom",
    include: ["test/**/*.test.{ts,tsx}"],
    setupFiles: ["../test/support/jsdom-setup.ts"],
  },
});
