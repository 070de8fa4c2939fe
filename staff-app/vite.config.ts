// Built into dist/ and served by the backend under /staff/ (same origin as the API: no CORS, the
// session cookie just works). Two pages: the staff app (index.html, served at /staff/) and the public
// page (public.html, served at /public/), which shares no chart code so its bundle stays small.
// `npm run dev -w staff-app` proxies /api to a backend on :8080.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { precompress } from "../scripts/lib/precompress.ts";

export default defineConfig({
  base: "/staff/",
  plugins: [react(), precompress()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    reportCompressedSize: true,
    rollupOptions: { input: { main: "index.html", public: "public.html" } },
  },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
});
