export * from "./reports.service.ts";
