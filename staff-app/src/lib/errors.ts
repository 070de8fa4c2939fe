// Our own wording per API error code (errors.<CODE> in the language files), never the server's text.
import { ApiError } from "@tegoed/sdk";
import type { TFunction } from "i18next";

export function errorText(t: TFunction, error: unknown): string {
  if (error instanceof ApiError) {
    const key = `errors.${error.code}`;
    const text = t(key, { defaultValue: "" });
    if (text) return text;
    return t("errors.INTERNAL");
  }
  return t("errors.INTERNAL");
}
