export * from "./cards.service.ts";
export { loadCardPepper } from "./pepper.ts";
