// Reads a QR code from a PNG screenshot with jsQR: an independent reader, as a shop's camera would be.
import { createRequire } from "node:module";
import type jsQRType from "jsqr";

const require = createRequire(import.meta.url);
const jsQR = require("jsqr") as typeof jsQRType.default;
const { PNG } = require("pngjs") as { PNG: { sync: { read(buffer: Buffer): { width: number; height: number; data: Buffer } } } };

export function readQrFromPng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
}
