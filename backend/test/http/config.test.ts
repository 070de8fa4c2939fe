import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_DEPLOYMENT_FILE, DEVELOPMENT_SESSION_SECRET, derivedApplicantKey, loadConfig } from "../../src/config.ts";
import { DEFAULT_DATA_DIR } from "../../src/db/index.ts";

const KEY_A = `0x${"a1".repeat(32)}`;
const KEY_B = `0x${"b2".repeat(32)}`;
const SECRET = "s".repeat(40);
/** What `openssl rand -hex 32` prints: 256 bits. */
const STRONG_SECRET = "9f3c1e7a5b2d4f6081a3c5e7092b4d6f8e1a3c5b7d9f0213546a8b9cadef1234";
const FUND_ADMIN = "0x00000000000000000000000000000000000A11cE";

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  describe("with an empty environment", () => {
    it("uses embedded PGlite, the local chain, the default deployment file, port 8080 and 1 confirmation", () => {
      expect(loadConfig({})).toEqual({
        production: false,
        dataDir: DEFAULT_DATA_DIR,
        deploymentFile: DEFAULT_DEPLOYMENT_FILE,
        port: 8080,
        confirmations: 1,
        chainTimeoutMs: 30_000,
        databasePoolSize: 20,
        sessionSecret: DEVELOPMENT_SESSION_SECRET,
        sessionTtlMs: 8 * 3_600_000,
        sessionReuseMs: 10_000,
        cookieSecure: false,
        trustProxy: false,
        applicationsPerHour: 10,
        publicFiguresPeriodMs: 3_600_000,
        mail: {
          tlsRejectUnauthorized: true, requireTls: false, fromAddress: "noreply@tegoed.invalid", fromName: "Tegoed",
          publicUrl: "http://127.0.0.1:8080", maxAttempts: 8, retryBaseMs: 30_000,
        },
        allowBroadKeys: false,
        logLevel: "info",
        cardPepper: { file: resolve(dirname(DEFAULT_DATA_DIR), "card-pepper"), create: true },
        applicants: { identityKey: derivedApplicantKey(DEVELOPMENT_SESSION_SECRET), bsnKey: { file: resolve(dirname(DEFAULT_DATA_DIR), "bsn-key"), create: true } },
      });
    });

    it("ignores variables it does not know and treats empty ones as unset", () => {
      const config = loadConfig({ PORT: "", HOME: "/root", DATABASE_URL: "" });
      expect(config.port).toBe(8080);
      expect(config).not.toHaveProperty("databaseUrl");
    });
  });

  describe("with every variable set", () => {
    it("parses them", () => {
      const config = loadConfig({
        NODE_ENV: "production",
        DATABASE_URL: "postgres://tegoed:pw@db.internal:5432/tegoed",
        DATABASE_POOL_SIZE: "40",
        DATA_DIR: "/var/lib/tegoed",
        CHAIN_RPC_URL: "https://besu.gemeente.nl:8545",
        DEPLOYMENT_FILE: "/etc/tegoed/deployment.json",
        RELAYER_KEYS_PAYMENTS_FILE: "/run/secrets/payments-1.json, /run/secrets/payments-2.json",
        RELAYER_KEYS_REFUNDS_FILE: "/run/secrets/refunds.json",
        RELAYER_KEYS_SETTLE_FILE: "/run/secrets/settle.json",
        RELAYER_KEYS_STAFF_FILE: "/run/secrets/staff.json",
        KEYSTORE_PASSPHRASE_FILE: "/run/secrets/keystore-passphrase",
        FUND_ADMIN: FUND_ADMIN.toLowerCase(),
        METRICS_TOKEN: "metrics-token-of-24-chars-or-more",
        LOG_LEVEL: "warn",
        PORT: "3000",
        CONFIRMATIONS: "2",
        CHAIN_TIMEOUT_SECONDS: "10",
        SESSION_SECRET: STRONG_SECRET,
        SESSION_TTL_HOURS: "12",
        SESSION_REUSE_SECONDS: "0",
        COOKIE_SECURE: "true",
        TRUST_PROXY: "1",
        APPLICATIONS_PER_HOUR: "20",
        PUBLIC_FIGURES_PERIOD_MINUTES: "15",
        STAFF_ADMIN_EMAIL: "Beheer@Gemeente.nl",
        STAFF_ADMIN_PASSWORD: "a long enough password",
        CARD_PEPPER_FILE: "/etc/tegoed/card-pepper", BSN_KEY_FILE: "/etc/tegoed/bsn-key",
        CARD_HELP_PHONE: "14 0594",
        PUBLIC_BASE_URL: "https://tegoed.gemeente.nl/",
      });
      expect(config).toEqual({
        production: true,
        databaseUrl: "postgres://tegoed:pw@db.internal:5432/tegoed",
        dataDir: "/var/lib/tegoed",
        chainRpcUrl: "https://besu.gemeente.nl:8545",
        deploymentFile: "/etc/tegoed/deployment.json",
        laneKeys: {
          payments: { variable: "RELAYER_KEYS_PAYMENTS_FILE", files: ["/run/secrets/payments-1.json", "/run/secrets/payments-2.json"] },
          refunds: { variable: "RELAYER_KEYS_REFUNDS_FILE", files: ["/run/secrets/refunds.json"] },
          settle: { variable: "RELAYER_KEYS_SETTLE_FILE", files: ["/run/secrets/settle.json"] },
          staff: { variable: "RELAYER_KEYS_STAFF_FILE", files: ["/run/secrets/staff.json"] },
        },
        keystorePassphraseFile: "/run/secrets/keystore-passphrase",
        allowBroadKeys: false,
        fundAdmin: FUND_ADMIN,
        metricsToken: "metrics-token-of-24-chars-or-more",
        logLevel: "warn",
        port: 3000,
        confirmations: 2,
        chainTimeoutMs: 10_000,
        databasePoolSize: 40,
        sessionSecret: STRONG_SECRET,
        sessionTtlMs: 12 * 3_600_000,
        sessionReuseMs: 0,
        cookieSecure: true,
        trustProxy: 1,
        applicationsPerHour: 20,
        publicFiguresPeriodMs: 15 * 60_000,
        cardPepper: { file: "/etc/tegoed/card-pepper", create: false },
        cardHelpPhone: "14 0594",
        staffAdmin: { email: "beheer@gemeente.nl", password: "a long enough password" },
        mail: {
          tlsRejectUnauthorized: true, requireTls: false, fromAddress: "noreply@tegoed.invalid", fromName: "Tegoed",
          publicUrl: "https://tegoed.gemeente.nl", maxAttempts: 8, retryBaseMs: 30_000,
        },
        applicants: { identityKey: derivedApplicantKey(STRONG_SECRET), bsnKey: { file: "/etc/tegoed/bsn-key", create: false } },
        publicBaseUrl: "https://tegoed.gemeente.nl",
      });
    });

    it("refuses production without CARD_PEPPER_FILE: a new pepper would make every card unusable", () => {
      expect(refusal({ NODE_ENV: "production", SESSION_SECRET: STRONG_SECRET, BSN_KEY_FILE: "/etc/tegoed/bsn-key" })).toMatch(/^CARD_PEPPER_FILE is required when NODE_ENV=production/);
    });

    it("refuses production without BSN_KEY_FILE: a new key would make every stored BSN unreadable", () => {
      expect(refusal({ NODE_ENV: "production", SESSION_SECRET: STRONG_SECRET, CARD_PEPPER_FILE: "/etc/tegoed/card-pepper" })).toMatch(/^BSN_KEY_FILE is required when NODE_ENV=production/);
    });

    it("reads the mail settings: server, TLS, sender, public address, tries", () => {
      expect(loadConfig({
        SMTP_URL: "smtps://tegoed:pw@smtp.gemeente.nl:465", SMTP_TLS_REJECT_UNAUTHORIZED: "false", SMTP_REQUIRE_TLS: "true",
        MAIL_FROM: "Gemeente Westerkwartier <kindpakket@westerkwartier.nl>", PUBLIC_BASE_URL: "https://tegoed.westerkwartier.nl/",
        MAIL_MAX_ATTEMPTS: "5", MAIL_RETRY_SECONDS: "60",
      }).mail).toEqual({
        smtpUrl: "smtps://tegoed:pw@smtp.gemeente.nl:465", tlsRejectUnauthorized: false, requireTls: true,
        fromAddress: "kindpakket@westerkwartier.nl", fromName: "Gemeente Westerkwartier", publicUrl: "https://tegoed.westerkwartier.nl",
        maxAttempts: 5, retryBaseMs: 60_000,
      });
      expect(() => loadConfig({ SMTP_URL: "http://mail" })).toThrow("SMTP_URL must be an smtp:// or smtps:// URL");
      expect(() => loadConfig({ MAIL_FROM: "not an address" })).toThrow("MAIL_FROM must be an address, or Name <address>");
    });

    it("takes a relative DEPLOYMENT_FILE from the repository root, as npm run deploy does", () => {
      expect(loadConfig({ DEPLOYMENT_FILE: ".data/deployment.json" }).deploymentFile).toBe(DEFAULT_DEPLOYMENT_FILE);
    });

    it("believes no proxy by default; TRUST_PROXY takes loopback or proxy addresses", () => {
      expect(loadConfig({}).trustProxy).toBe(false);
      expect(loadConfig({ TRUST_PROXY: "loopback" }).trustProxy).toBe("loopback");
      expect(loadConfig({ TRUST_PROXY: "10.0.0.1, 10.0.0.2" }).trustProxy).toBe("10.0.0.1, 10.0.0.2");
    });

    it("makes the cookie Secure in production by default", () => {
      expect(loadConfig({ NODE_ENV: "production", SESSION_SECRET: STRONG_SECRET, CARD_PEPPER_FILE: "/etc/tegoed/card-pepper", BSN_KEY_FILE: "/etc/tegoed/bsn-key", PUBLIC_BASE_URL: "https://tegoed.gemeente.nl" }).cookieSecure).toBe(true);
    });
  });

  describe("refuses with one line naming the variable", () => {
    it.each([
      [{ PORT: "http" }, "PORT must be a port number from 0 to 65535"],
      [{ PORT: "70000" }, "PORT must be a port number from 0 to 65535"],
      [{ PORT: "-1" }, "PORT must be a port number from 0 to 65535"],
      [{ CONFIRMATIONS: "1.5" }, "CONFIRMATIONS must be a whole number of blocks from 0 to 1000"],
      [{ CHAIN_TIMEOUT_SECONDS: "0" }, "CHAIN_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 600"],
      [{ DATABASE_POOL_SIZE: "0" }, "DATABASE_POOL_SIZE must be a whole number of connections from 1 to 500"],
      [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL must be a postgres:// URL"],
      // libpq's failover list: pg would not follow it (README, "When a dependency goes away").
      [{ DATABASE_URL: "postgres://tegoed@db1:5432,db2:5432/tegoed?target_session_attrs=read-write" }, "DATABASE_URL names several hosts, but node-postgres (pg) connects to one host only"],
      [{ DATABASE_URL: "postgresql://tegoed@/tegoed?host=db1,db2&target_session_attrs=read-write" }, "DATABASE_URL names several hosts"],
      [{ CHAIN_RPC_URL: "ws://node:8546" }, "CHAIN_RPC_URL must be an http(s) URL of a JSON-RPC node"],
      [{ RELAYER_PRIVATE_KEYS: "0x1234" }, "RELAYER_PRIVATE_KEYS must be comma-separated 0x-prefixed 32-byte hex private keys"],
      [{ RELAYER_PRIVATE_KEYS: `${KEY_A},${KEY_A}` }, "RELAYER_PRIVATE_KEYS must not list a key twice"],
      [{ CHAIN_RPC_URL: "https://besu.gemeente.nl" }, "RELAYER_PRIVATE_KEYS or keys per purpose (RELAYER_KEYS_PAYMENTS_FILE, …) are required when CHAIN_RPC_URL is not a local node"],
      [{ SESSION_SECRET: "short" }, "SESSION_SECRET must be at least 32 characters"],
      [{ NODE_ENV: "production" }, "SESSION_SECRET is required when NODE_ENV=production"],
      [{ NODE_ENV: "production", SESSION_SECRET: DEVELOPMENT_SESSION_SECRET }, "SESSION_SECRET is the development secret"],
      [{ NODE_ENV: "production", SESSION_SECRET: STRONG_SECRET, CARD_PEPPER_FILE: "/etc/tegoed/card-pepper", BSN_KEY_FILE: "/etc/tegoed/bsn-key" }, "PUBLIC_BASE_URL is required when NODE_ENV=production"],
      [{ PUBLIC_BASE_URL: "tegoed.gemeente.nl" }, "PUBLIC_BASE_URL must be an http(s) URL without query or fragment"],
      [{ PUBLIC_BASE_URL: "https://tegoed.gemeente.nl/#x" }, "PUBLIC_BASE_URL must be an http(s) URL without query or fragment"],
      [{ SESSION_TTL_HOURS: "0" }, "SESSION_TTL_HOURS must be a whole number of hours from 1 to 720"],
      [{ COOKIE_SECURE: "maybe" }, "COOKIE_SECURE must be true or false"],
      [{ TRUST_PROXY: "everyone" }, "TRUST_PROXY must be a hop count, loopback, or comma-separated proxy addresses"],
      [{ APPLICATIONS_PER_HOUR: "0" }, "APPLICATIONS_PER_HOUR must be a whole number from 1 to 1000000"],
      [{ PUBLIC_FIGURES_PERIOD_MINUTES: "1441" }, "PUBLIC_FIGURES_PERIOD_MINUTES must be a whole number of minutes from 0 to 1440"],
      [{ STAFF_ADMIN_EMAIL: "beheer" }, "STAFF_ADMIN_EMAIL must be an email address"],
      [{ STAFF_ADMIN_EMAIL: "beheer@gemeente.nl" }, "STAFF_ADMIN_PASSWORD is required when the other STAFF_ADMIN_ variable is set"],
      [{ STAFF_ADMIN_PASSWORD: "a long enough password" }, "STAFF_ADMIN_EMAIL is required when the other STAFF_ADMIN_ variable is set"],
      [{ STAFF_ADMIN_EMAIL: "beheer@gemeente.nl", STAFF_ADMIN_PASSWORD: "short" }, "STAFF_ADMIN_PASSWORD must be at least 12 characters"],
    ])("%o → %s", (env, expected) => {
      expect(refusal(env)).toContain(expected);
    });

    it("reads LETTER_SENDER_FILE with its PNG logo, and names what is wrong in a bad one", () => {
      const sender = loadConfig({ LETTER_SENDER_FILE: "scripts/demo/letterhead.json" }).letterSender!;
      expect(sender).toMatchObject({ name: "Gemeente Westerkwartier (demo)", addressLines: ["Postbus 100", "9800 AC  Zuidhorn"], email: "kindpakket@tegoed.example" });
      expect(Buffer.from(sender.logoPng!.subarray(1, 4)).toString()).toBe("PNG");
      expect(refusal({ LETTER_SENDER_FILE: "package.json" })).toMatch(/^LETTER_SENDER_FILE addressLines /);
      expect(refusal({ LETTER_SENDER_FILE: "no/such/file.json" })).toMatch(/^LETTER_SENDER_FILE cannot be read as JSON/);
    });

    const PROD = { NODE_ENV: "production", SESSION_SECRET: STRONG_SECRET, PUBLIC_BASE_URL: "https://tegoed.gemeente.nl", CARD_PEPPER_FILE: "/etc/tegoed/card-pepper", BSN_KEY_FILE: "/etc/tegoed/bsn-key" };
    const PER_PURPOSE = { RELAYER_KEYS_PAYMENTS: KEY_A, RELAYER_KEYS_REFUNDS: `0x${"c3".repeat(32)}`, RELAYER_KEYS_SETTLE: `0x${"d4".repeat(32)}`, RELAYER_KEYS_STAFF: KEY_B };
    it.each([
      [{ ...PROD, COOKIE_SECURE: "false" }, "COOKIE_SECURE may not be false when NODE_ENV=production"],
      [{ ...PROD, SESSION_SECRET: SECRET }, "SESSION_SECRET is too weak for production"],
      [{ ...PROD, SESSION_SECRET: "ab".repeat(32) }, "SESSION_SECRET is too weak for production"],
      [{ ...PROD, SESSION_SECRET: "0123456789abcdef".repeat(2) }, "SESSION_SECRET is too weak for production"],
      [{ ...PROD, STAFF_ADMIN_EMAIL: "beheer@gemeente.nl", STAFF_ADMIN_PASSWORD: "tegoed-demo-admin" }, "STAFF_ADMIN_PASSWORD is a demo password"],
      [{ ...PROD, STAFF_ADMIN_EMAIL: "beheer@gemeente.nl", STAFF_ADMIN_PASSWORD: "tegoed-demo-2027" }, "STAFF_ADMIN_PASSWORD is a demo password"],
      [{ ...PROD, RELAYER_PRIVATE_KEYS: KEY_A }, "RELAYER_PRIVATE_KEYS may not be used when NODE_ENV=production"],
      [{ ...PROD, ...PER_PURPOSE }, "RELAYER_KEYS_PAYMENTS may not hold keys when NODE_ENV=production: give encrypted keystore files in RELAYER_KEYS_PAYMENTS_FILE"],
      [{ ...PROD, ALLOW_BROAD_KEYS: "1" }, "ALLOW_BROAD_KEYS may not be set when NODE_ENV=production"],
      [{ ...PROD, CHAIN_RPC_URL: "https://besu.gemeente.nl", RELAYER_KEYS_PAYMENTS_FILE: "p.json", RELAYER_KEYS_REFUNDS_FILE: "r.json", RELAYER_KEYS_SETTLE_FILE: "s.json", RELAYER_KEYS_STAFF_FILE: "st.json", KEYSTORE_PASSPHRASE_FILE: "pw" }, "FUND_ADMIN is required when NODE_ENV=production"],
    ])("in production: %o → %s", (env, expected) => {
      expect(refusal(env)).toContain(expected);
    });

    it.each([
      [{ RELAYER_KEYS_PAYMENTS: KEY_A }, "RELAYER_KEYS_REFUNDS_FILE is required when keys are given per purpose"],
      [{ ...PER_PURPOSE, RELAYER_PRIVATE_KEYS: KEY_A }, "RELAYER_PRIVATE_KEYS may not be set together with keys per purpose"],
      [{ ...PER_PURPOSE, RELAYER_KEYS_SETTLE: KEY_A }, "RELAYER_KEYS must give each purpose keys of its own"],
      [{ ...PER_PURPOSE, RELAYER_KEYS_STAFF: undefined, RELAYER_KEYS_STAFF_FILE: "staff.json" }, "KEYSTORE_PASSPHRASE_FILE is required with RELAYER_KEYS_STAFF_FILE"],
      [{ FUND_ADMIN: "gemeente" }, "FUND_ADMIN must be a 0x address"],
      [{ METRICS_TOKEN: "short" }, "METRICS_TOKEN must be at least 24 characters"],
    ])("keys per purpose: %o → %s", (env, expected) => {
      expect(refusal(env)).toContain(expected);
    });

    it("accepts a strong production configuration with keystore files and a fund admin", () => {
      const config = loadConfig({ ...PROD, ALLOW_BROAD_KEYS: "0", STAFF_ADMIN_EMAIL: "beheer@gemeente.nl", STAFF_ADMIN_PASSWORD: "a long enough password" });
      expect(config).toMatchObject({ production: true, cookieSecure: true, allowBroadKeys: false });
    });

    it("reads secrets from *_FILE (final newline dropped), and refuses a variable given both ways or an unreadable file", () => {
      const dir = mkdtempSync(join(tmpdir(), "tegoed-config-"));
      writeFileSync(join(dir, "secret"), `${STRONG_SECRET}\n`);
      expect(loadConfig({ ...PROD, SESSION_SECRET: undefined, SESSION_SECRET_FILE: join(dir, "secret") }).sessionSecret).toBe(STRONG_SECRET);
      expect(refusal({ SESSION_SECRET: STRONG_SECRET, SESSION_SECRET_FILE: join(dir, "secret") })).toBe("SESSION_SECRET and SESSION_SECRET_FILE are both set; give one");
      expect(refusal({ METRICS_TOKEN_FILE: join(dir, "missing") })).toContain("METRICS_TOKEN_FILE");
    });

    it("accepts a local node without relayer keys (the development keys are used there)", () => {
      expect(loadConfig({ CHAIN_RPC_URL: "http://127.0.0.1:8545" }).relayerPrivateKeys).toBeUndefined();
    });

    it("never repeats a secret's value", () => {
      expect(refusal({ RELAYER_PRIVATE_KEYS: `${KEY_A},0xdeadbeef` })).not.toContain(KEY_A);
      expect(refusal({ SESSION_SECRET: "hunter2-secret" })).not.toContain("hunter2");
      expect(refusal({ STAFF_ADMIN_EMAIL: "a@b.nl", STAFF_ADMIN_PASSWORD: "pw-1" })).not.toContain("pw-1");
    });
  });
});

describe("loadConfig: families applying", () => {
  it("OIDC_ISSUER_URL with its client: the broker, the callback on this backend's port by default", () => {
    const config = loadConfig({ OIDC_ISSUER_URL: "https://broker.gemeente.nl/oidc", OIDC_CLIENT_ID: "tegoed", OIDC_CLIENT_SECRET: "s3cret-of-the-broker", PORT: "3000" });
    expect(config.applicants.oidc).toEqual({
      issuerUrl: "https://broker.gemeente.nl/oidc", clientId: "tegoed", clientSecret: "s3cret-of-the-broker", scope: "openid", label: "DigiD",
      redirectUrl: "http://127.0.0.1:3000/api/applicant/oidc/callback",
    });
  });

  it.each([
    [{ OIDC_ISSUER_URL: "https://broker.gemeente.nl" }, "OIDC_CLIENT_ID is required when OIDC_ISSUER_URL is set"],
    [{ OIDC_ISSUER_URL: "broker.gemeente.nl", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "12345678" }, "OIDC_ISSUER_URL must be the http(s) URL of the OpenID Connect issuer"],
    [{ OIDC_ISSUER_URL: "https://b.nl", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "12345678", OIDC_SCOPE: "profile" }, "OIDC_SCOPE must include openid"],
    [{ NODE_ENV: "production", SESSION_SECRET: STRONG_SECRET, CARD_PEPPER_FILE: "/etc/tegoed/card-pepper", BSN_KEY_FILE: "/etc/tegoed/bsn-key", PUBLIC_BASE_URL: "https://tegoed.gemeente.nl", OIDC_ISSUER_URL: "https://b.nl", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "12345678" }, "OIDC_REDIRECT_URL is required when NODE_ENV=production and OIDC_ISSUER_URL is set"],
    [{ APPLICANT_IDENTITY_KEY: "short" }, "APPLICANT_IDENTITY_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`)"],
  ])("refuses %j: %s", (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });

  it("without OIDC_ISSUER_URL: no broker (families log in with an emailed code); the identity key is its own when set", () => {
    const config = loadConfig({ APPLICANT_IDENTITY_KEY: "k".repeat(40) });
    expect(config.applicants).toEqual({ identityKey: "k".repeat(40), bsnKey: expect.objectContaining({ create: true }) });
  });
});
