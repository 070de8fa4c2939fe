// The process's log: pino's JSON lines on stdout, one object per event. Call sites pass facts, never
// bodies; the redaction below is the second line of defence for a field that should not be there.
import { pino } from "pino";
import type { Logger } from "./http/errors.ts";

/** Field names that may hold personal data or secrets: replaced by "[redacted]" at any depth we log. */
const SENSITIVE = ["password", "pin", "activationCode", "token", "secret", "iban", "email", "name", "authorization", "cookie", "qr", "cardSecret", "privateKey"];

export function createLogger(level = "info", destination?: NodeJS.WritableStream): Logger & { pino: pino.Logger } {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "tegoed-backend" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...SENSITIVE, ...SENSITIVE.map((field) => `*.${field}`)], censor: "[redacted]" },
  };
  // stdout through pino's asynchronous destination: lines that come while a write is under way go out
  // together in the next one, rather than one blocking write per line. Pino flushes what is left when
  // the process exits, a crash included.
  const log = pino(options, (destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 1, sync: false }));
  // The access line holds only what requestLog puts in it (an id, the method, the route's pattern, the
  // status, ms): nothing to redact, so it skips the redaction pass, the costliest part of a line.
  const access = log.child({}, { redact: { paths: [] } });
  return {
    pino: log,
    error: (message, fields) => log.error(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    request: (line) => access.info(line, "request"),
  };
}
