// Brotli and gzip copies of an app's built files, made once at build time, so the backend serves them
// with Content-Encoding and spends no CPU compressing per request (backend/src/http/apps.ts).
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { Plugin } from "vite";

/** Text and WebAssembly compress well; images and fonts are compressed already. */
export const COMPRESSIBLE = /\.(?:html|m?js|css|svg|json|webmanifest|wasm|txt)$/i;
/** Below this a compressed copy saves less than its headers cost. */
const MIN_BYTES = 1024;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

export interface Precompressed {
  file: string;
  bytes: number;
  br: number | null;
  gzip: number | null;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]);
}

/** Writes `<file>.br` and `<file>.gz` next to every compressible file under `dir`, each only when smaller. */
export async function precompressDir(dir: string): Promise<Precompressed[]> {
  const files = filesUnder(dir).filter((file) => COMPRESSIBLE.test(file) && statSync(file).size >= MIN_BYTES);
  // zlib's async calls run on libuv's thread pool: the files compress in parallel.
  return Promise.all(files.map(async (file) => {
    const raw = readFileSync(file);
    const [br, gz] = await Promise.all([
      brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
      gzipAsync(raw, { level: 9 }),
    ]);
    const keep = (bytes: Buffer, suffix: string) => {
      if (bytes.length >= raw.length * 0.95) return null;
      writeFileSync(file + suffix, bytes);
      return bytes.length;
    };
    return { file: relative(dir, file), bytes: raw.length, br: keep(br, ".br"), gzip: keep(gz, ".gz") };
  }));
}

/** The Vite plugin: precompresses the output folder after every build. */
export function precompress(): Plugin {
  let outDir = "dist";
  return {
    name: "tegoed-precompress",
    apply: "build",
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    async closeBundle() {
      await precompressDir(outDir);
    },
  };
}
