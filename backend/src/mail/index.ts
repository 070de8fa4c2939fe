// The mail adapter: templates rendered per language, and an SMTP sender.
export * from "./render.ts";
export * from "./smtp.ts";
