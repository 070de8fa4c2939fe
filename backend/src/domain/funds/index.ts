// Funds: one scheme for one period, its contract, settings, deposits and pause.
export * from "./funds.service.ts";
