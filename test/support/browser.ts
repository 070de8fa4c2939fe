// Debian's Chromium driven by playwright-core (never a downloaded browser), the flags that work as root
// and offline, axe-core in the page, and Chromium's fake camera fed a Y4M video of a QR code.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import QRCode from "qrcode";
import { chromium, type Browser, type Page } from "playwright-core";

const require = createRequire(import.meta.url);
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const OFFLINE_FLAGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
];

export interface LaunchOptions {
  /** A Y4M file the fake camera plays (see writeQrVideo); the camera permission is then granted by flag. */
  fakeCamera?: string;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const camera = options.fakeCamera
    ? ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${options.fakeCamera}`]
    : [];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...OFFLINE_FLAGS, ...camera] });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core (WCAG 2.1 A/AA rules) on the page as it is now; returns the violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const source = require("node:fs").readFileSync(require.resolve("axe-core/axe.min.js"), "utf8") as string;
  // evaluate, not a <script> tag: the apps' CSP allows only their own scripts.
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}

/** Readable summary for an assertion message: "color-contrast (serious): … at #pay-button". */
export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`).join("\n");
}

/**
 * What sticks out sideways on a phone: the page's scroll width beyond the window, and every visible
 * element that is cut by the left or right edge (a clipped field does not widen the page, yet is cut off
 * all the same). Elements wholly off-screen on purpose (a skip link until focused) do not count.
 * Empty when the screen fits.
 */
export async function sidewaysOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const found: string[] = [];
    if (document.documentElement.scrollWidth > width) found.push(`page ${document.documentElement.scrollWidth}px wide in a ${width}px window`);
    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
      const cutRight = box.right > width + 0.5 && box.left < width;
      const cutLeft = box.left < -0.5 && box.right > 0;
      if (cutRight || cutLeft) {
        const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className && typeof el.className === "string" ? `.${el.className.trim().split(/\s+/).join(".")}` : ""}`;
        found.push(`${name} from ${Math.round(box.left)} to ${Math.round(box.right)}px`);
      }
    }
    return found;
  });
}

/**
 * Text cut off by its own box: an element that hides its overflow (or ellipsizes) while its content is
 * wider or taller than the box. Screen-reader-only text (a 1 px box) does not count. Empty when nothing is cut.
 */
export async function clippedText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>("*"))) {
      const style = getComputedStyle(el);
      const hides = (v: string) => v === "hidden" || v === "clip";
      if (!hides(style.overflowX) && !hides(style.overflowY) && style.textOverflow !== "ellipsis") continue;
      if (el.clientWidth <= 1 || el.clientHeight <= 1 || !el.textContent?.trim()) continue;
      if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
        found.push(`${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).trim().split(/\s+/).join(".")}` : ""}: "${el.textContent.trim().slice(0, 40)}"`);
      }
    }
    return found;
  });
}

/**
 * What still moves on the page: running animations and any element with a transition or animation
 * that takes time. Empty when the page is still, as it must be under prefers-reduced-motion.
 */
export async function motionOnPage(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const seconds = (v: string) => Math.max(...v.split(",").map((part) => parseFloat(part) * (part.trim().endsWith("ms") ? 0.001 : 1)));
    const found = document.getAnimations().map((a) => `running animation ${(a as CSSAnimation).animationName ?? a.id}`);
    for (const el of Array.from(document.querySelectorAll("*"))) {
      const style = getComputedStyle(el);
      if (seconds(style.transitionDuration) > 0 || seconds(style.animationDuration) > 0) {
        found.push(`${el.tagName.toLowerCase()} moves (transition ${style.transitionDuration}, animation ${style.animationDuration})`);
      }
    }
    return found;
  });
}

/**
 * Writes a Y4M video (640×480, 4:2:0) that shows `text` as a QR code, for Chromium's fake camera; or a
 * QR's modules as read from a printed page (rows of dark/light). Black on white with a quiet zone, as
 * large as fits.
 */
export function writeQrVideo(text: string | boolean[][], file: string, frames = 10): void {
  const width = 640, height = 480;
  const qr = typeof text === "string"
    ? QRCode.create(text, { errorCorrectionLevel: "M" })
    : { modules: { size: text.length, get: (row: number, col: number) => (text[row]![col] ? 1 : 0) } };
  const size = qr.modules.size;
  const quiet = 4;
  const scale = Math.floor((height - 40) / (size + 2 * quiet));
  const side = (size + 2 * quiet) * scale;
  const left = Math.floor((width - side) / 2), top = Math.floor((height - side) / 2);
  const luma = Buffer.alloc(width * height, 0x60); // a grey table around the phone
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const mx = Math.floor(x / scale) - quiet, my = Math.floor(y / scale) - quiet;
      const dark = mx >= 0 && my >= 0 && mx < size && my < size && qr.modules.get(my, mx) === 1;
      luma[(top + y) * width + left + x] = dark ? 0x10 : 0xeb;
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), luma, chroma]);
  writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}

/** A signed-in app's language button in the header: it is named "<label>: <current language>". */
export function languageButton(page: Page, label: string) {
  return page.getByRole("banner").getByRole("button", { name: new RegExp(`^${label}: `) });
}

/** Opens the header's language list from its button (named with `label` in the current language) and chooses `language`. */
export async function chooseLanguage(page: Page, label: string, language: string): Promise<void> {
  await languageButton(page, label).click();
  await page.getByRole("group", { name: label }).getByRole("button", { name: language }).click();
}
