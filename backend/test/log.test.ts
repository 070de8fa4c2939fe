// The process's log (log.ts): pino JSON lines; fields that may hold personal data are redacted, and the
// access line of a request, whose fields our own code sets, is the same line it was through `info`.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/log.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(...chunk.toString().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)); done(); } });
  return { lines, logger: createLogger("info", sink) };
}

const LINE = { requestId: "2b0f8c1e-6f0a-4a52-9a53-4c1d6b0e7f11", method: "POST", route: "/api/merchant/charges", status: 201, ms: 3.4 };

describe("createLogger", () => {
  it("writes the access line with the fields, level, service, time and message an `info` line has", () => {
    const { lines, logger } = capture();
    logger.request!(LINE);
    logger.info!("request", LINE);
    expect(lines).toHaveLength(2);
    const [access, info] = lines.map(({ time, ...rest }) => {
      expect(String(time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      return rest;
    });
    expect(access).toEqual({ level: 30, service: "tegoed-backend", ...LINE, msg: "request" });
    expect(JSON.stringify(access)).toBe(JSON.stringify(info));
  });

  it("redacts personal fields of other lines, at the top and one level down", () => {
    const { lines, logger } = capture();
    logger.info!("shop applied", { email: "info@debal.example", shop: { iban: "NL91ABNA0417164300", city: "Zuidhorn" } });
    logger.error("login failed", { password: "correct horse", token: "abc" });
    expect(lines[0]).toMatchObject({ email: "[redacted]", shop: { iban: "[redacted]", city: "Zuidhorn" } });
    expect(lines[1]).toMatchObject({ level: 50, password: "[redacted]", token: "[redacted]" });
  });

  it("leaves out the access line below its level", () => {
    const lines: string[] = [];
    const logger = createLogger("warn", new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done(); } }));
    logger.request!(LINE);
    expect(lines).toEqual([]);
  });
});
