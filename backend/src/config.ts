// The backend's configuration: environment variables, validated once at start. A bad value stops
// start-up with one line naming the variable and what is wrong (never its value when it is a secret).
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { electronicFormatIBAN, isValidBIC, isValidIBAN } from "ibantools";
import { getAddress, isAddress } from "ethers";
import { PURPOSES, PURPOSE_VARIABLE, type Purpose } from "./chain/lanes.ts";
import { DEFAULT_DATA_DIR, SEVERAL_HOSTS_MESSAGE, namesSeveralHosts } from "./db/connect.ts";
import type { LetterSender } from "./domain/eligibility/letter.ts";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** The repository root: relative DATA_DIR and DEPLOYMENT_FILE are taken from here, as `npm run deploy` does. */
export const REPOSITORY_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** `.data/deployment.json` under the repository root, where `npm run deploy` writes it. */
export const DEFAULT_DEPLOYMENT_FILE = resolve(REPOSITORY_ROOT, ".data/deployment.json");

/** Used only outside production when SESSION_SECRET is unset: never protects anything real. */
export const DEVELOPMENT_SESSION_SECRET = "tegoed-development-session-secret-do-not-use-in-production";

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

/** The demo's passwords (README, `npm start`): public, so never a real account's. */
export const DEMO_PASSWORDS: readonly string[] = ["tegoed-demo-admin", "tegoed-demo-2027"];

/**
 * A rough lower bound of a secret's entropy in bits: its length times the bits of the smallest
 * alphabet it fits (hex, or the character classes it uses); a secret of a few repeated characters
 * counts as none.
 */
export function secretStrengthBits(secret: string): number {
  if (new Set(secret).size < 10) return 0;
  let alphabet = 0;
  if (/^[0-9a-f]+$/i.test(secret)) alphabet = 16;
  else {
    if (/[a-z]/.test(secret)) alphabet += 26;
    if (/[A-Z]/.test(secret)) alphabet += 26;
    if (/[0-9]/.test(secret)) alphabet += 10;
    if (/[^a-zA-Z0-9]/.test(secret)) alphabet += 33;
  }
  return Math.floor(secret.length * Math.log2(alphabet));
}

const keyList = z
  .string()
  .transform((text) => text.split(",").map((part) => part.trim()).filter(Boolean))
  .refine((keys) => keys.length > 0, "must list at least one key")
  .refine((keys) => keys.every((key) => PRIVATE_KEY.test(key)), "must be comma-separated 0x-prefixed 32-byte hex private keys")
  .refine((keys) => new Set(keys.map((k) => k.toLowerCase())).size === keys.length, "must not list a key twice");

const fileList = z
  .string()
  .transform((text) => text.split(",").map((part) => part.trim()).filter(Boolean))
  .refine((files) => files.length > 0, "must list at least one keystore file");

const purposeKeyVariables = Object.fromEntries(
  PURPOSES.flatMap((purpose) => [[PURPOSE_VARIABLE[purpose], keyList.optional()], [`${PURPOSE_VARIABLE[purpose]}_FILE`, fileList.optional()]]),
) as Record<string, z.ZodOptional<typeof keyList> | z.ZodOptional<typeof fileList>>;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

const wholeNumber = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(/^\d+$/, `must be ${what}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be ${what}`);

const boolean = z.enum(["true", "false", "1", "0"], "must be true or false").transform((v) => v === "true" || v === "1");

const ConfigSchema = z
  .object({
    NODE_ENV: z.string().optional(),
    DATABASE_URL: z
      .string()
      .refine((url) => !namesSeveralHosts(url), SEVERAL_HOSTS_MESSAGE)
      .refine((url) => /^postgres(ql)?:\/\/[^\s]+$/.test(url) && URL.canParse(url), "must be a postgres:// URL")
      .optional(),
    DATABASE_POOL_SIZE: wholeNumber(1, 500, "a whole number of connections from 1 to 500").default(20),
    DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
    CHAIN_RPC_URL: z
      .string()
      .refine((url) => /^https?:\/\/[^\s]+$/.test(url) && URL.canParse(url), "must be an http(s) URL of a JSON-RPC node")
      .optional(),
    DEPLOYMENT_FILE: z.string().min(1).default(DEFAULT_DEPLOYMENT_FILE),
    RELAYER_PRIVATE_KEYS: keyList.optional(),
    ...purposeKeyVariables,
    KEYSTORE_PASSPHRASE_FILE: z.string().min(1).optional(),
    ALLOW_BROAD_KEYS: boolean.optional(),
    FUND_ADMIN: z.string().refine(isAddress, "must be a 0x address (the municipality's own key or multisig)").optional(),
    METRICS_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], "must be fatal, error, warn, info, debug, trace or silent").default("info"),
    PORT: wholeNumber(0, 65535, "a port number from 0 to 65535").default(8080),
    CONFIRMATIONS: wholeNumber(0, 1000, "a whole number of blocks from 0 to 1000").default(1),
    CHAIN_TIMEOUT_SECONDS: wholeNumber(1, 600, "a whole number of seconds from 1 to 600").default(30),
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -hex 32`)").optional(),
    SESSION_TTL_HOURS: wholeNumber(1, 24 * 30, "a whole number of hours from 1 to 720").default(8),
    SESSION_REUSE_SECONDS: wholeNumber(0, 60, "a whole number of seconds from 0 to 60").default(10),
    COOKIE_SECURE: boolean.optional(),
    APPLICATIONS_PER_HOUR: wholeNumber(1, 1_000_000, "a whole number from 1 to 1000000").default(10),
    // The public figures are as of the last full period (minutes), so polling does not reveal a purchase; 0: real time.
    PUBLIC_FIGURES_PERIOD_MINUTES: wholeNumber(0, 24 * 60, "a whole number of minutes from 0 to 1440").default(60),
    // Printed on letters and in their QR codes: where families reach the apps.
    PUBLIC_BASE_URL: z
      .string()
      .refine((url) => /^https?:\/\/[^\s?#]+$/.test(url) && URL.canParse(url), "must be an http(s) URL without query or fragment, e.g. https://tegoed.gemeente.nl")
      .transform((url) => url.replace(/\/+$/, ""))
      .optional(),
    // Who sends the activation letters: a JSON file (see README); absent: the demo municipality.
    LETTER_SENDER_FILE: z.string().min(1).optional(),
    // Behind a load balancer: which proxies to believe about the client's address (per-client limits).
    TRUST_PROXY: z
      .string()
      .trim()
      .refine((v) => /^(\d{1,2}|loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/.test(v), "must be a hop count, loopback, or comma-separated proxy addresses")
      .transform((v): number | string => (/^\d+$/.test(v) ? Number(v) : v))
      .optional(),
    STAFF_ADMIN_EMAIL: z.email("must be an email address").optional(),
    STAFF_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").max(200, "must be at most 200 characters").optional(),
    // The Tegoed card: the pepper file (32 random bytes as hex), and the help phone printed on cards.
    CARD_PEPPER_FILE: z.string().min(1).optional(),
    CARD_HELP_PHONE: z.string().trim().min(3).max(40, "must be at most 40 characters").optional(),
    // Families applying: the identity broker (OpenID Connect), else logins by an emailed code
    OIDC_ISSUER_URL: z.string().refine((url) => /^https?:\/\/[^\s]+$/.test(url) && URL.canParse(url), "must be the http(s) URL of the OpenID Connect issuer").optional(),
    OIDC_CLIENT_ID: z.string().trim().min(1).max(200).optional(),
    OIDC_CLIENT_SECRET: z.string().min(8, "must be the client secret registered at the broker").optional(),
    OIDC_REDIRECT_URL: z.string().refine((url) => /^https?:\/\/[^\s]+$/.test(url) && URL.canParse(url), "must be the http(s) URL of /api/applicant/oidc/callback").optional(),
    OIDC_SCOPE: z.string().trim().regex(/(^|\s)openid(\s|$)/, "must include openid").default("openid"),
    OIDC_LABEL: z.string().trim().min(1).max(40).default("DigiD"),
    // The key sealing BSNs where a fund needs them: a file with 32 random bytes as hex.
    BSN_KEY_FILE: z.string().min(1).optional(),
    APPLICANT_IDENTITY_KEY: z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -hex 32`)").optional(),
    // Settlement to shops (payouts)
    BANK_ADAPTER: z.enum(["simulated", "bunq", "sepa"], "must be simulated, bunq or sepa").default("simulated"),
    BUNQ_API_URL: z.string().refine((url) => /^https?:\/\/[^\s]+$/.test(url) && URL.canParse(url), "must be an http(s) URL").default("https://public-api.sandbox.bunq.com/v1"),
    BUNQ_API_KEY: z.string().min(16, "must be a bunq API key").optional(),
    BUNQ_PRIVATE_KEY_FILE: z.string().min(1).optional(),
    BUNQ_MONETARY_ACCOUNT_ID: wholeNumber(1, Number.MAX_SAFE_INTEGER, "a bunq monetary account id").optional(),
    PAYOUT_FOUR_EYES_CENTS: wholeNumber(0, Number.MAX_SAFE_INTEGER, "a whole number of cents").default(5_000_00),
    PAYOUT_INTERVAL_SECONDS: wholeNumber(1, 86_400, "a whole number of seconds from 1 to 86400").default(15),
    PAYOUT_DEBTOR_NAME: z.string().trim().min(1).max(70, "must be at most 70 characters").optional(),
    PAYOUT_DEBTOR_IBAN: z.string().refine((v) => isValidIBAN(electronicFormatIBAN(v) ?? ""), "must be a valid IBAN").optional(),
    PAYOUT_DEBTOR_BIC: z.string().refine((v) => isValidBIC(v.trim().toUpperCase()), "must be a valid BIC").optional(),
    // Email notifications
    SMTP_URL: z.string().refine((url) => /^smtps?:\/\/[^\s]+$/.test(url) && URL.canParse(url), "must be an smtp:// or smtps:// URL").optional(),
    SMTP_TLS_REJECT_UNAUTHORIZED: boolean.default(true),
    SMTP_REQUIRE_TLS: boolean.default(false),
    MAIL_FROM: z.string().trim().refine((v) => /^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(v), "must be an address, or Name <address>").default("Tegoed <noreply@tegoed.invalid>"),
    MAIL_MAX_ATTEMPTS: wholeNumber(1, 100, "a whole number from 1 to 100").default(8),
    MAIL_RETRY_SECONDS: wholeNumber(0, 86_400, "a whole number of seconds from 0 to 86400").default(30),
  })
  .superRefine((env, ctx) => {
    const production = env.NODE_ENV === "production";
    const raw = env as unknown as Record<string, unknown>;
    if (production && env.SESSION_SECRET === undefined) {
      ctx.addIssue({ code: "custom", path: ["SESSION_SECRET"], message: "is required when NODE_ENV=production" });
    }
    if (production && env.SESSION_SECRET === DEVELOPMENT_SESSION_SECRET) {
      ctx.addIssue({ code: "custom", path: ["SESSION_SECRET"], message: "is the development secret; choose your own" });
    } else if (production && env.SESSION_SECRET !== undefined && secretStrengthBits(env.SESSION_SECRET) < 256) {
      ctx.addIssue({ code: "custom", path: ["SESSION_SECRET"], message: "is too weak for production: it needs 32 random bytes (e.g. `openssl rand -hex 32`)" });
    }
    if (production && env.COOKIE_SECURE === false) {
      ctx.addIssue({ code: "custom", path: ["COOKIE_SECURE"], message: "may not be false when NODE_ENV=production: session cookies go over HTTPS only" });
    }
    if (production && env.STAFF_ADMIN_PASSWORD !== undefined && DEMO_PASSWORDS.includes(env.STAFF_ADMIN_PASSWORD)) {
      ctx.addIssue({ code: "custom", path: ["STAFF_ADMIN_PASSWORD"], message: "is a demo password (printed in the README); choose your own" });
    }
    const purposeKeys = PURPOSES.filter((p) => raw[PURPOSE_VARIABLE[p]] !== undefined || raw[`${PURPOSE_VARIABLE[p]}_FILE`] !== undefined);
    if (purposeKeys.length > 0 && env.RELAYER_PRIVATE_KEYS !== undefined) {
      ctx.addIssue({ code: "custom", path: ["RELAYER_PRIVATE_KEYS"], message: "may not be set together with keys per purpose (RELAYER_KEYS_…)" });
    }
    for (const purpose of PURPOSES) {
      const variable = PURPOSE_VARIABLE[purpose];
      if (raw[variable] !== undefined && raw[`${variable}_FILE`] !== undefined) {
        ctx.addIssue({ code: "custom", path: [variable], message: `may not be set together with ${variable}_FILE` });
      }
      if (purposeKeys.length > 0 && !purposeKeys.includes(purpose)) {
        ctx.addIssue({ code: "custom", path: [`${variable}_FILE`], message: `is required when keys are given per purpose (every purpose needs its own keys: ${PURPOSES.map((p) => PURPOSE_VARIABLE[p]).join(", ")})` });
      }
      if (production && raw[variable] !== undefined) {
        ctx.addIssue({ code: "custom", path: [variable], message: `may not hold keys when NODE_ENV=production: give encrypted keystore files in ${variable}_FILE` });
      }
      if (raw[`${variable}_FILE`] !== undefined && env.KEYSTORE_PASSPHRASE_FILE === undefined) {
        ctx.addIssue({ code: "custom", path: ["KEYSTORE_PASSPHRASE_FILE"], message: `is required with ${variable}_FILE (the file holding the keystores' passphrase)` });
      }
    }
    const plain = PURPOSES.flatMap((p) => ((raw[PURPOSE_VARIABLE[p]] as string[] | undefined) ?? []).map((key) => key.toLowerCase()));
    if (new Set(plain).size !== plain.length) {
      ctx.addIssue({ code: "custom", path: ["RELAYER_KEYS"], message: "must give each purpose keys of its own (one key in two purposes would reuse its nonces)" });
    }
    if (production && env.RELAYER_PRIVATE_KEYS !== undefined) {
      ctx.addIssue({ code: "custom", path: ["RELAYER_PRIVATE_KEYS"], message: "may not be used when NODE_ENV=production: give keys per purpose in keystore files (RELAYER_KEYS_PAYMENTS_FILE, …)" });
    }
    if (production && env.ALLOW_BROAD_KEYS === true) {
      ctx.addIssue({ code: "custom", path: ["ALLOW_BROAD_KEYS"], message: "may not be set when NODE_ENV=production: each key holds only the roles of its work" });
    }
    if (production && env.CHAIN_RPC_URL !== undefined && env.FUND_ADMIN === undefined) {
      ctx.addIssue({ code: "custom", path: ["FUND_ADMIN"], message: "is required when NODE_ENV=production: the municipality's own key (or multisig) administers every fund" });
    }
    if (production && env.BSN_KEY_FILE === undefined) {
      ctx.addIssue({ code: "custom", path: ["BSN_KEY_FILE"], message: "is required when NODE_ENV=production (a file with 32 random bytes as hex, kept outside the database)" });
    }
    if (production && env.CARD_PEPPER_FILE === undefined) {
      ctx.addIssue({ code: "custom", path: ["CARD_PEPPER_FILE"], message: "is required when NODE_ENV=production (a file with 32 random bytes as hex, kept outside the database)" });
    }
    if (env.OIDC_ISSUER_URL !== undefined) {
      for (const name of ["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"] as const) {
        if (env[name] === undefined) ctx.addIssue({ code: "custom", path: [name], message: "is required when OIDC_ISSUER_URL is set" });
      }
      if (production && env.OIDC_REDIRECT_URL === undefined) {
        ctx.addIssue({ code: "custom", path: ["OIDC_REDIRECT_URL"], message: "is required when NODE_ENV=production and OIDC_ISSUER_URL is set" });
      }
    }
    if (production && env.PUBLIC_BASE_URL === undefined) {
      ctx.addIssue({ code: "custom", path: ["PUBLIC_BASE_URL"], message: "is required when NODE_ENV=production (letters print it)" });
    }
    if (env.BANK_ADAPTER === "bunq" && env.BUNQ_API_KEY === undefined) {
      ctx.addIssue({ code: "custom", path: ["BUNQ_API_KEY"], message: "is required when BANK_ADAPTER=bunq" });
    }
    if (env.BANK_ADAPTER === "sepa") {
      for (const name of ["PAYOUT_DEBTOR_NAME", "PAYOUT_DEBTOR_IBAN", "PAYOUT_DEBTOR_BIC"] as const) {
        if (env[name] === undefined) ctx.addIssue({ code: "custom", path: [name], message: "is required when BANK_ADAPTER=sepa (the municipality's own account)" });
      }
    }
    if ((env.STAFF_ADMIN_EMAIL === undefined) !== (env.STAFF_ADMIN_PASSWORD === undefined)) {
      const missing = env.STAFF_ADMIN_EMAIL === undefined ? "STAFF_ADMIN_EMAIL" : "STAFF_ADMIN_PASSWORD";
      ctx.addIssue({ code: "custom", path: [missing], message: "is required when the other STAFF_ADMIN_ variable is set" });
    }
    if (env.CHAIN_RPC_URL !== undefined && env.RELAYER_PRIVATE_KEYS === undefined && purposeKeys.length === 0 && !isLocalUrl(env.CHAIN_RPC_URL)) {
      ctx.addIssue({
        code: "custom",
        path: ["RELAYER_PRIVATE_KEYS"],
        message: "or keys per purpose (RELAYER_KEYS_PAYMENTS_FILE, …) are required when CHAIN_RPC_URL is not a local node (development keys are only used on a local chain)",
      });
    }
  });

function isLocalUrl(url: string): boolean {
  try {
    return LOCAL_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

export interface Config {
  production: boolean;
  /** Absent: embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  /** Connections to the PostgreSQL server (a busy till charges while others wait for the chain). */
  databasePoolSize: number;
  dataDir: string;
  /** Absent: the local chain `npm start` runs. */
  chainRpcUrl?: string;
  deploymentFile: string;
  /** One list of keys every purpose shares. Absent, with no `laneKeys` either: the local chain's development keys. */
  relayerPrivateKeys?: string[];
  /** Keys per purpose: plain (development) or encrypted keystore files (read at start with the passphrase file). */
  laneKeys?: Record<Purpose, KeySource>;
  keystorePassphraseFile?: string;
  /** Lanes may hold more roles than their work needs (the local demo). */
  allowBroadKeys: boolean;
  /** The municipality's own address that administers every fund the backend creates. */
  fundAdmin?: string;
  /** Absent: /api/metrics answers 404. */
  metricsToken?: string;
  logLevel: string;
  port: number;
  confirmations: number;
  /** The longest one request to the node may take; a payment's send not answered by then is CHAIN_TIMEOUT. */
  chainTimeoutMs: number;
  /** Keys the hashes of session tokens and login-attempt counters. */
  sessionSecret: string;
  sessionTtlMs: number;
  /** How long a till's session, read with its shop, is reused without reading it again (0: never). */
  sessionReuseMs: number;
  /** Mark the session cookie Secure (HTTPS only). Default: in production. */
  cookieSecure: boolean;
  /** Express's `trust proxy`: false (the default) believes no X-Forwarded-For. */
  trustProxy: number | string | false;
  /** Shop applications one client address may send per hour. */
  applicationsPerHour: number;
  /** The public figures are as of the last full period of this length (0: real time). */
  publicFiguresPeriodMs: number;
  /** Where families reach the apps (letters, their QR codes); absent: this server on 127.0.0.1. */
  publicBaseUrl?: string;
  /** The municipality on the letters (LETTER_SENDER_FILE); absent: the demo's. */
  letterSender?: LetterSender;
  /** The first admin, created at start when no staff user has this email. */
  staffAdmin?: { email: string; password: string };
  /** The card pepper's file; `create`: made when missing (outside production only). */
  cardPepper: { file: string; create: boolean };
  cardHelpPhone?: string;
  /** Email notifications: always queued; sent only with an SMTP server. */
  mail: MailConfig;
  /** Settlement to shops; absent when no payout variable is set: DEFAULT_PAYOUT_CONFIG. */
  payouts?: PayoutConfig;
  /** Families applying: the key of the identity hashes, and the broker (absent: logins by emailed code). */
  applicants: {
    identityKey: string;
    /** The BSN key's file; `create`: made when missing (outside production only). */
    bsnKey: { file: string; create: boolean };
    oidc?: { issuerUrl: string; clientId: string; clientSecret: string; redirectUrl: string; scope: string; label: string };
  };
}

/** Without APPLICANT_IDENTITY_KEY, the key is derived from the session secret (changing that secret then forgets every applicant). */
export function derivedApplicantKey(sessionSecret: string): string {
  return createHmac("sha256", sessionSecret).update("tegoed applicant identity key").digest("hex");
}

export interface MailConfig {
  /** Absent: mails wait in the outbox until a server is configured. */
  smtpUrl?: string;
  tlsRejectUnauthorized: boolean;
  requireTls: boolean;
  fromAddress: string;
  /** MAIL_FROM's display name: the sender of mails that have no fund of their own. */
  fromName: string;
  /** Where the apps are, for links in mails (no trailing slash). */
  publicUrl: string;
  maxAttempts: number;
  retryBaseMs: number;
}
/** Where one purpose's keys come from, named by the variable that gave them (for refusals). */
export type KeySource = { variable: string; keys: string[] } | { variable: string; files: string[] };

export interface PayoutConfig {
  bank: "simulated" | "bunq" | "sepa";
  /** A run above this total needs a second finance user's approval. */
  fourEyesCents: bigint;
  /** How often the payout scheduler looks for due payouts. */
  intervalMs: number;
  /** The municipality's account payouts are paid from (the SEPA file's debtor); demo values for `simulated`. */
  debtor: { name: string; iban: string; bic: string };
  bunq?: { apiUrl: string; apiKey: string; privateKeyFile: string; monetaryAccountId?: number };
}

/** The debtor account of the demo (simulated bank): a valid-looking but made-up account. */
export const DEMO_DEBTOR = { name: "Gemeente Westerkwartier (demo)", iban: "NL02ABNA0123456789", bic: "ABNANL2A" } as const;

/** The simulated bank, €5,000 four-eyes threshold, a tick every 15 s, the demo debtor. */
export const DEFAULT_PAYOUT_CONFIG: PayoutConfig = { bank: "simulated", fourEyesCents: 5_000_00n, intervalMs: 15_000, debtor: { ...DEMO_DEBTOR } };

/** Secrets that may come from a file instead (`NAME_FILE`, as container secrets are mounted). */
export const SECRET_FILE_VARIABLES = ["DATABASE_URL", "SESSION_SECRET", "METRICS_TOKEN", "STAFF_ADMIN_PASSWORD", "BUNQ_API_KEY"] as const;

/** The environment with each `NAME_FILE` read into `NAME` (its final newline dropped). */
function withSecretFiles(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env };
  for (const name of SECRET_FILE_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) throw new ConfigError(`${name} and ${name}_FILE are both set; give one`);
    try {
      out[name] = readFileSync(resolve(REPOSITORY_ROOT, file), "utf8").replace(/\r?\n$/, "");
    } catch (error) {
      throw new ConfigError(`${name}_FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
  return out;
}

/** The names this module reads: only these are looked at, whatever else the environment holds. */
const NAMES = Object.keys(ConfigSchema.shape) as (keyof typeof ConfigSchema.shape)[];

/**
 * Reads and checks the configuration.
 * @throws ConfigError with one line: the variable and why it is refused (the value only when not secret).
 */
export function loadConfig(given: Record<string, string | undefined>): Config {
  const env = withSecretFiles(given);
  // An empty variable counts as unset, as in most shells' `VAR= npm start`.
  const relevant = Object.fromEntries(NAMES.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
  const result = ConfigSchema.safeParse(relevant);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? "environment");
    throw new ConfigError(`${name} ${issue.message}`);
  }
  const c = result.data;
  const production = c.NODE_ENV === "production";
  const config: Config = {
    production,
    dataDir: c.DATA_DIR.startsWith("memory://") ? c.DATA_DIR : resolve(REPOSITORY_ROOT, c.DATA_DIR),
    deploymentFile: resolve(REPOSITORY_ROOT, c.DEPLOYMENT_FILE),
    port: c.PORT,
    confirmations: c.CONFIRMATIONS,
    chainTimeoutMs: c.CHAIN_TIMEOUT_SECONDS * 1000,
    databasePoolSize: c.DATABASE_POOL_SIZE,
    sessionSecret: c.SESSION_SECRET ?? DEVELOPMENT_SESSION_SECRET,
    sessionTtlMs: c.SESSION_TTL_HOURS * 3_600_000,
    sessionReuseMs: c.SESSION_REUSE_SECONDS * 1000,
    cookieSecure: c.COOKIE_SECURE ?? production,
    trustProxy: c.TRUST_PROXY ?? false,
    applicationsPerHour: c.APPLICATIONS_PER_HOUR,
    publicFiguresPeriodMs: c.PUBLIC_FIGURES_PERIOD_MINUTES * 60_000,
    mail: {
      ...(c.SMTP_URL !== undefined && { smtpUrl: c.SMTP_URL }),
      tlsRejectUnauthorized: c.SMTP_TLS_REJECT_UNAUTHORIZED,
      requireTls: c.SMTP_REQUIRE_TLS,
      fromAddress: /<([^>]+)>/.exec(c.MAIL_FROM)?.[1] ?? c.MAIL_FROM,
      fromName: /^([^<]*)</.exec(c.MAIL_FROM)?.[1]?.trim().replace(/^"|"$/g, "") || "Tegoed",
      publicUrl: c.PUBLIC_BASE_URL ?? `http://127.0.0.1:${c.PORT}`,
      maxAttempts: c.MAIL_MAX_ATTEMPTS,
      retryBaseMs: c.MAIL_RETRY_SECONDS * 1000,
    },
    allowBroadKeys: c.ALLOW_BROAD_KEYS ?? false,
    logLevel: c.LOG_LEVEL,
    cardPepper: c.CARD_PEPPER_FILE !== undefined
      ? { file: resolve(REPOSITORY_ROOT, c.CARD_PEPPER_FILE), create: !production }
      // Beside the data folder, not in it: the pepper is not part of the database.
      : { file: resolve(c.DATA_DIR.startsWith("memory://") ? resolve(REPOSITORY_ROOT, ".data") : dirname(resolve(REPOSITORY_ROOT, c.DATA_DIR)), "card-pepper"), create: true },
    applicants: {
      identityKey: c.APPLICANT_IDENTITY_KEY ?? derivedApplicantKey(c.SESSION_SECRET ?? DEVELOPMENT_SESSION_SECRET),
      bsnKey: c.BSN_KEY_FILE !== undefined
        ? { file: resolve(REPOSITORY_ROOT, c.BSN_KEY_FILE), create: !production }
        : { file: resolve(c.DATA_DIR.startsWith("memory://") ? resolve(REPOSITORY_ROOT, ".data") : dirname(resolve(REPOSITORY_ROOT, c.DATA_DIR)), "bsn-key"), create: true },
      ...(c.OIDC_ISSUER_URL !== undefined && {
        oidc: {
          issuerUrl: c.OIDC_ISSUER_URL, clientId: c.OIDC_CLIENT_ID!, clientSecret: c.OIDC_CLIENT_SECRET!, scope: c.OIDC_SCOPE, label: c.OIDC_LABEL,
          redirectUrl: c.OIDC_REDIRECT_URL ?? `http://127.0.0.1:${c.PORT}/api/applicant/oidc/callback`,
        },
      }),
    },
  };
  if (c.CARD_HELP_PHONE !== undefined) config.cardHelpPhone = c.CARD_HELP_PHONE;
  const raw = c as Record<string, unknown>;
  if (PURPOSES.some((p) => raw[PURPOSE_VARIABLE[p]] !== undefined || raw[`${PURPOSE_VARIABLE[p]}_FILE`] !== undefined)) {
    config.laneKeys = Object.fromEntries(PURPOSES.map((purpose): [Purpose, KeySource] => {
      const variable = PURPOSE_VARIABLE[purpose];
      const keys = raw[variable] as string[] | undefined;
      return [purpose, keys ? { variable, keys } : { variable: `${variable}_FILE`, files: (raw[`${variable}_FILE`] as string[]).map((f) => resolve(REPOSITORY_ROOT, f)) }];
    })) as Record<Purpose, KeySource>;
  }
  if (c.KEYSTORE_PASSPHRASE_FILE !== undefined) config.keystorePassphraseFile = resolve(REPOSITORY_ROOT, c.KEYSTORE_PASSPHRASE_FILE);
  if (c.FUND_ADMIN !== undefined) config.fundAdmin = getAddress(c.FUND_ADMIN);
  if (c.METRICS_TOKEN !== undefined) config.metricsToken = c.METRICS_TOKEN;
  const payoutVariables = NAMES.filter((name) => /^(BANK_|BUNQ_|PAYOUT_)/.test(name) && relevant[name] !== undefined);
  if (payoutVariables.length > 0) {
    config.payouts = {
      bank: c.BANK_ADAPTER,
      fourEyesCents: BigInt(c.PAYOUT_FOUR_EYES_CENTS),
      intervalMs: c.PAYOUT_INTERVAL_SECONDS * 1000,
      debtor: {
        name: c.PAYOUT_DEBTOR_NAME ?? DEMO_DEBTOR.name,
        iban: c.PAYOUT_DEBTOR_IBAN ? electronicFormatIBAN(c.PAYOUT_DEBTOR_IBAN)! : DEMO_DEBTOR.iban,
        bic: c.PAYOUT_DEBTOR_BIC?.trim().toUpperCase() ?? DEMO_DEBTOR.bic,
      },
    };
  }
  if (config.payouts && c.BANK_ADAPTER === "bunq" && c.BUNQ_API_KEY !== undefined) {
    config.payouts.bunq = {
      apiUrl: c.BUNQ_API_URL, apiKey: c.BUNQ_API_KEY,
      privateKeyFile: resolve(REPOSITORY_ROOT, c.BUNQ_PRIVATE_KEY_FILE ?? resolve(config.dataDir.startsWith("memory://") ? resolve(REPOSITORY_ROOT, ".data") : config.dataDir, "bunq-private-key.pem")),
      ...(c.BUNQ_MONETARY_ACCOUNT_ID !== undefined && { monetaryAccountId: c.BUNQ_MONETARY_ACCOUNT_ID }),
    };
  }
  if (c.DATABASE_URL !== undefined) config.databaseUrl = c.DATABASE_URL;
  if (c.PUBLIC_BASE_URL !== undefined) config.publicBaseUrl = c.PUBLIC_BASE_URL;
  if (c.LETTER_SENDER_FILE !== undefined) config.letterSender = loadLetterSender(resolve(REPOSITORY_ROOT, c.LETTER_SENDER_FILE));
  if (c.CHAIN_RPC_URL !== undefined) config.chainRpcUrl = c.CHAIN_RPC_URL;
  if (c.RELAYER_PRIVATE_KEYS !== undefined) config.relayerPrivateKeys = c.RELAYER_PRIVATE_KEYS;
  if (c.STAFF_ADMIN_EMAIL !== undefined && c.STAFF_ADMIN_PASSWORD !== undefined) {
    config.staffAdmin = { email: c.STAFF_ADMIN_EMAIL.toLowerCase(), password: c.STAFF_ADMIN_PASSWORD };
  }
  return config;
}

const LetterSenderFileSchema = z.object({
  name: z.string().trim().min(1).max(100),
  addressLines: z.array(z.string().trim().min(1).max(100)).min(1).max(4),
  phone: z.string().trim().min(1).max(40),
  email: z.email(),
  /** A PNG file, relative to the JSON file. */
  logo: z.string().min(1).optional(),
});

/** The letters' sender from LETTER_SENDER_FILE, with its logo read; ConfigError naming what is wrong. */
export function loadLetterSender(file: string): LetterSender {
  let parsed;
  try {
    parsed = LetterSenderFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  } catch (error) {
    throw new ConfigError(`LETTER_SENDER_FILE cannot be read as JSON: ${(error as Error).message}`);
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`LETTER_SENDER_FILE ${issue.path.join(".") || "file"} ${issue.message}`);
  }
  const { logo, ...sender } = parsed.data;
  if (logo === undefined) return sender;
  let logoPng: Uint8Array;
  try {
    logoPng = new Uint8Array(readFileSync(resolve(dirname(file), logo)));
  } catch {
    throw new ConfigError(`LETTER_SENDER_FILE logo ${logo} cannot be read`);
  }
  if (!Buffer.from(logoPng.subarray(0, 8)).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    throw new ConfigError(`LETTER_SENDER_FILE logo ${logo} is not a PNG file`);
  }
  return { ...sender, logoPng };
}
