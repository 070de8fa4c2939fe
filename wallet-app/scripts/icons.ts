// Writes public/icon-192.png and icon-512.png (the same picture as icon.svg) with nothing but zlib,
// so no image tool or download is needed. Run: node wallet-app/scripts/icons.ts
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

const BRAND = [0x0b, 0x4f, 0x8a], WHITE = [0xff, 0xff, 0xff];

function pixel(x: number, y: number): number[] {
  // In the 512-unit design of icon.svg (rounded square corners left out: maskable icons are cropped anyway).
  const card = x >= 96 && x < 416 && y >= 150 && y < 370;
  const stripe = y >= 200 && y < 244;
  const dot = (x - 350) ** 2 + (y - 310) ** 2 < 28 ** 2;
  return card && !stripe && !dot ? WHITE : BRAND;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

export function png(size: number): Buffer {
  const rows = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++) {
    rows[y * (1 + size * 3)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b] = pixel((x * 512) / size, (y * 512) / size);
      rows.set([r!, g!, b!], y * (1 + size * 3) + 1 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const size of [192, 512]) writeFileSync(join(import.meta.dirname, "..", "public", `icon-${size}.png`), png(size));
}
