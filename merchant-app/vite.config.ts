// Built into dist/ and served by the backend under /shop/ (same origin as the API: no CORS, the
// session cookie just works). `npm run dev -w merchant-app` proxies /api to a backend on :8080.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { precompress } from "../scripts/lib/precompress.ts";

export default defineConfig({
  base: "/shop/",
  plugins: [react(), precompress()],
  build: { outDir: "dist", emptyOutDir: true, reportCompressedSize: true },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
});
