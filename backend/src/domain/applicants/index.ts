// Applicants: families logging in to apply (OpenID Connect or an emailed code), known by a keyed hash only.
export * from "./applicants.service.ts";
export { isValidBsn, loadBsnKey, openBsn, sealBsn } from "./bsn.ts";
