// The app's own words for each API refusal (never the server's English message).
import type { TFunction } from "i18next";
import { ApiError } from "@tegoed/sdk";
import { localeOf } from "./money.ts";

const KNOWN = new Set([
  "ACTIVATION_CODE_INVALID", "ACTIVATION_CODE_USED", "ACTIVATION_CODE_EXPIRED", "ACTIVATION_CODE_REPLACED", "BUDGETS_NOT_ISSUED", "BUDGET_ALREADY_ACTIVATED",
  "RATE_LIMITED", "UNAUTHENTICATED", "NETWORK", "CHAIN_UNAVAILABLE", "CHAIN_TIMEOUT", "INVALID_INPUT", "NOT_FOUND",
]);

export function formatTime(epochMs: number, language: string): string {
  return new Intl.DateTimeFormat(localeOf(language), { hour: "2-digit", minute: "2-digit" }).format(new Date(epochMs));
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
  return KNOWN.has(code) ? t(`errors.${code}`) : t("errors.generic");
}
