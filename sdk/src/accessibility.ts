// The facts of the apps' accessibility statements (toegankelijkheidsverklaring, in the form the Dutch
// government's model asks for); the apps hold the words, in every language they speak.

/**
 * Compliance status as digitoegankelijk.nl defines it: A complies fully, B partly (with measures),
 * C first measures taken (statement published, full WCAG-EM research planned), D no measures yet,
 * E no statement. Tegoed's own automated and manual checks are not an independent WCAG-EM audit: C,
 * until the municipality has one done.
 */
export type ComplianceStatus = "A" | "B" | "C" | "D" | "E";

export const ACCESSIBILITY_STATEMENT = {
  standard: "WCAG 2.1 AA",
  norm: "EN 301 549",
  status: "C" as ComplianceStatus,
  /** When the statement was last brought up to date (ISO day). */
  updated: "2026-12-07",
  /** Working days within which feedback gets an answer. */
  answerWithinWorkingDays: 5,
} as const;
