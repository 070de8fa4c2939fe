// Settlement to shops: payout runs, the crash-safe payout steps, schedules and the scheduler.
export * from "./payouts.service.ts";
export * from "./schedule.ts";
