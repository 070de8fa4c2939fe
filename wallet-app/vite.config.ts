// Built into dist/ and served by the backend under /wallet/ (same origin as the API: no CORS, the
// session cookie just works). `npm run dev -w wallet-app` proxies /api to a backend on :8080.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { precompress } from "../scripts/lib/precompress.ts";
import { printSize, serviceWorker } from "./scripts/build-plugins.ts";

export default defineConfig(({ command }) => ({
  base: "/wallet/",
  plugins: [react(), serviceWorker(), printSize(), precompress()],
  // A build is for phones even when a test process (NODE_ENV=test) runs it: React's production build.
  ...(command === "build" ? { define: { "process.env.NODE_ENV": JSON.stringify("production") }, oxc: { jsx: { development: false } } } : {}),
  build: { outDir: "dist", emptyOutDir: true, reportCompressedSize: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
}));
