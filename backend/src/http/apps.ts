// The three apps, built by Vite into <app>/dist, served from the API's own origin: the session cookie
// and CSRF token work without CORS. Hashed assets are cached for a year; each index.html never, so a
// new build reaches phones at once. The build leaves brotli and gzip copies beside the files
// (scripts/lib/precompress.ts): a browser that accepts one gets it, nothing is compressed per request.
// An app that is not built is simply not served.
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join } from "node:path";
import express, { type Request, type RequestHandler, type Response, type Router } from "express";

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

/** The build's compressed copies, best first (brotli is ~15 % smaller than gzip on our bundles). */
const ENCODINGS = [["br", ".br"], ["gzip", ".gz"]] as const;
const COMPRESSIBLE = /\.(?:html|m?js|css|svg|json|webmanifest|wasm|txt)$/i;

const exists = (file: string) => stat(file).then((s) => s.isFile(), () => false);

/**
 * The encoding to answer `file` with: a compressed copy the browser accepts, else none. A range request
 * gets the file itself (a range of compressed bytes would be a range of another representation).
 */
async function chooseEncoding(req: Request, res: Response, file: string): Promise<(typeof ENCODINGS)[number] | null> {
  if (!COMPRESSIBLE.test(file)) return null;
  res.vary("Accept-Encoding"); // identity or not, a cache must keep the answers apart
  if (req.headers.range) return null;
  for (const choice of ENCODINGS) {
    if (req.acceptsEncodings(choice[0]) === choice[0] && (await exists(file + choice[1]))) return choice;
  }
  return null;
}

/** Sets what the compressed copy of `file` is: its encoding and the original's type. */
function asEncoded(res: Response, file: string, encoding: string): void {
  res.type(extname(file));
  res.set("Content-Encoding", encoding);
}

/** Before express.static: points a request for a file at its compressed copy when the browser takes one. */
function precompressed(dir: string): RequestHandler {
  return (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      return next(); // express.static answers the malformed path
    }
    // express.static refuses paths outside `dir` itself; only a plain file name is looked up here.
    if (path.includes("\0") || path.split("/").includes("..")) return next();
    const file = join(dir, path);
    chooseEncoding(req, res, file).then((choice) => {
      if (choice) {
        asEncoded(res, file, choice[0]);
        req.url = req.url.replace(/(\?|$)/, `${choice[1]}$1`);
      }
      next();
    }, next);
  };
}

/** Mounts every built app found under `root`; returns the prefixes served. */
export function appsRouter(root: string): { router: Router; served: string[] } {
  const router = express.Router();
  const served: string[] = [];
  for (const { prefix, folder, index } of APP_MOUNTS) {
    const dir = join(root, folder);
    const indexFile = join(dir, index);
    if (!existsSync(indexFile)) continue;
    served.push(prefix);
    router.use(prefix, appHeaders, precompressed(dir), express.static(dir, {
      index: false,
      redirect: false,
      setHeaders: (res, path) => {
        res.set("Cache-Control", /[\\/]assets[\\/]/.test(path) ? "public, max-age=31536000, immutable" : "no-cache");
      },
    }));
    // Client-side routes (/wallet/pay, /shop/scan …) all answer the app's page.
    router.get(`${prefix}{/*rest}`, appHeaders, (req, res, next) => {
      if (/\.[a-z0-9]+$/i.test(req.path)) return next(); // a missing file is a 404, not the page
      res.set("Cache-Control", "no-cache");
      chooseEncoding(req, res, indexFile).then((choice) => {
        if (!choice) return res.sendFile(indexFile);
        asEncoded(res, indexFile, choice[0]);
        res.sendFile(indexFile + choice[1]);
      }, next);
    });
  }
  if (served.includes("/public")) router.get("/", (_req, res) => res.redirect(302, "/public/"));
  // Each app's page names its own icon; pages without one (the API docs) get an app's.
  if (served.length > 0) router.get("/favicon.ico", (_req, res) => res.redirect(301, `${served[0]}/icon.svg`));
  return { router, served };
}
