// The body of every refusal, as a schema: apart from the codes (../errors.ts), so an app that reads only
// the codes bundles no zod.
import { z } from "zod";
import { ERROR_CODE_LIST } from "../errors.ts";

/** `{ "error": { "code": "BUDGET_FROZEN", "message": "…", "details": { … } } }` */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODE_LIST),
    message: z.string(),
    details: z.record(z.string(), z.string()).optional(),
    /** The request's id in the server's log (also its X-Request-Id header): quote it to the helpdesk. */
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
