// The app's own words for each API refusal (never the server's English message).
import type { TFunction } from "i18next";
import { ApiError, formatClock, isErrorCode } from "@tegoed/sdk";

/** A time of day on the fund's clock (see sdk dates.ts). */
export function formatTime(epochMs: number, language: string): string {
  return formatClock(epochMs, language);
}

export function errorMessage(error: unknown, t: TFunction, language: string): string {
  const code = error instanceof ApiError ? error.code : error instanceof TypeError ? "NETWORK" : "INTERNAL";
  const details = error instanceof ApiError ? error.details : {};
  if (code === "RATE_LIMITED") {
    const at = details.retryAt ? Date.parse(details.retryAt) : NaN;
    return Number.isNaN(at) ? t("errors.RATE_LIMITED_soon") : t("errors.RATE_LIMITED", { time: formatTime(at, language) });
  }
  if (code === "ACTIVATION_CODE_INVALID" && details.attemptsLeft) {
    return t("errors.ACTIVATION_CODE_INVALID_left", { count: Number(details.attemptsLeft) });
  }
  // Every API code has its words (a test walks the sdk's list); a code from a newer server falls back.
  return isErrorCode(code) || code === "NETWORK" ? t(`errors.${code}`, { defaultValue: t("errors.generic") }) : t("errors.generic");
}
