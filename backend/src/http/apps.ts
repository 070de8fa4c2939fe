// The three apps, built by Vite into <app>/dist, served from the API's own origin: the session cookie
// and CSRF token work without CORS. Hashed assets are cached for a year; each index.html never, so a
// new build reaches phones at once. An app that is not built is simply not served.
import { existsSync } from "node:fs";
import { join } from "node:path";
import express, { type RequestHandler, type Router } from "express";

/** URL prefix → folder under the repository; the public page is the staff app's second entry. */
export const APP_MOUNTS = [
  { prefix: "/wallet", folder: "wallet-app/dist", index: "index.html" },
  { prefix: "/shop", folder: "merchant-app/dist", index: "index.html" },
  { prefix: "/staff", folder: "staff-app/dist", index: "index.html" },
  { prefix: "/public", folder: "staff-app/dist", index: "public.html" },
] as const;

// The apps fetch only their own origin; QR codes are drawn as data: and blob: images; the shop's camera
// feed is a media stream and its decoder a worker running WebAssembly (compiling it needs 'wasm-unsafe-eval',
// which allows no JavaScript eval).
const APP_CSP = [
  "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:", "worker-src 'self' blob:", "connect-src 'self'", "manifest-src 'self'",
  "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
].join("; ");

const appHeaders: RequestHandler = (_req, res, next) => {
  res.set({ "Content-Security-Policy": APP_CSP, "Permissions-Policy": "camera=(self), geolocation=(), microphone=()" });
  next();
};

/** Mounts every built app found under `root`; returns the prefixes served. */
export function appsRouter(root: string): { router: Router; served: string[] } {
  const router = express.Router();
  const served: string[] = [];
  for (const { prefix, folder, index } of APP_MOUNTS) {
    const dir = join(root, folder);
    const indexFile = join(dir, index);
    if (!existsSync(indexFile)) continue;
    served.push(prefix);
    router.use(prefix, appHeaders, express.static(dir, {
      index: false,
      redirect: false,
      setHeaders: (res, path) => {
        res.set("Cache-Control", /[\\/]assets[\\/]/.test(path) ? "public, max-age=31536000, immutable" : "no-cache");
      },
    }));
    // Client-side routes (/wallet/pay, /shop/scan …) all answer the app's page.
    router.get(`${prefix}{/*rest}`, appHeaders, (req, res, next) => {
      if (/\.[a-z0-9]+$/i.test(req.path)) return next(); // a missing file is a 404, not the page
      res.set("Cache-Control", "no-cache").sendFile(indexFile);
    });
  }
  if (served.includes("/public")) router.get("/", (_req, res) => res.redirect(302, "/public/"));
  // Each app's page names its own icon; pages without one (the API docs) get an app's.
  if (served.length > 0) router.get("/favicon.ico", (_req, res) => res.redirect(301, `${served[0]}/icon.svg`));
  return { router, served };
}
