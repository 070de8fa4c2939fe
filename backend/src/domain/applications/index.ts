// Applications: families apply for a fund; validators review, ask, approve or decline.
export * from "./applications.service.ts";
export * from "./review.service.ts";
export { evaluate } from "./criteria.ts";
export { checkDocument } from "./documents.ts";
export type { ApplicationRecord, DocumentMeta } from "./applications.repository.ts";
