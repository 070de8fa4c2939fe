// Start-up: configuration → database (migrated) → services → first admin → HTTP. `main.ts` runs it.
import { createHmac, hkdfSync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type JsonRpcProvider, Network } from "ethers";
import { type Deployment, parseDeployment } from "@tegoed/sdk";
import { FactoryClient } from "./chain/factory-client.ts";
import { FundClient } from "./chain/fund-client.ts";
import { HttpJsonRpcProvider } from "./chain/http-provider.ts";
import { useWasmKeccak } from "./chain/keccak.ts";
import { PURPOSES, PURPOSE_VARIABLE, type Purpose, RelayerSet } from "./chain/lanes.ts";
import { Relayer, type RelayerEvent } from "./chain/relayer.ts";
import { ConfigError, DEFAULT_PAYOUT_CONFIG, REPOSITORY_ROOT, type Config } from "./config.ts";
import type { Db } from "./db/transaction.ts";
import { fundsRepository } from "./domain/funds/funds.repository.ts";
import { checkLaneRoles, readLaneKeys, refuseDevelopmentKeys } from "./keys.ts";
import { holdClaims, isDatabaseUnavailable, migrateToLatest, openDatabase } from "./db/index.ts";
import { sessionService } from "./domain/auth/index.ts";
import { warmChargeStatements } from "./domain/payments/index.ts";
import { loadCardPepper } from "./domain/cards/index.ts";
import { loadBsnKey } from "./domain/applicants/index.ts";
import { DEMO_SENDER, GuessLimiter, type LetterSettings } from "./domain/eligibility/index.ts";
import { createIndexer, type Indexer } from "./domain/indexer/index.ts";
import { createPayoutScheduler, reconcilePayouts, type PayoutScheduler } from "./domain/payouts/index.ts";
import { chooseBank } from "./bank/choose.ts";
import { staffService } from "./domain/staff/index.ts";
import { createNotificationWorker, outboxLoginCodeMailer, type MailSettings } from "./domain/notifications/index.ts";
import { smtpMailer } from "./mail/index.ts";
import { DEV_PRIVATE_KEYS, LOCAL_CHAIN_IDS } from "../../scripts/lib/local-chain.ts";
import { createApp } from "./http/app.ts";
import { discoverOidc, type OidcClient } from "./identity/oidc.ts";
import { purgeApplications } from "./domain/applications/index.ts";
import { consoleLogger, type Logger } from "./http/errors.ts";
import { chainProbe, type ChainProbe, type IndexerLag } from "./http/health.ts";
import { createMetrics } from "./http/observability.ts";
import { payoutsRepository } from "./domain/payouts/payouts.repository.ts";
import type { Ledger } from "./http/ledger.ts";

const PURGE_EVERY_MS = 60 * 60_000;

/** A background job's failure for the log: its kind, and the cause when the database went away (never personal data). */
function failure(error: unknown): Record<string, unknown> {
  const name = (error as Error)?.name ?? "unknown";
  return isDatabaseUnavailable(error) ? { error: name, cause: "database unavailable", detail: (error as Error).message.split("\n")[0] } : { error: name };
}

export interface RunningServer {
  server: Server;
  port: number;
  /** Rotation: reads the lane keystores again and moves to them (main.ts: on SIGHUP). */
  reloadKeys(): ReturnType<typeof reloadLaneKeys>;
  close(): Promise<void>;
}

/** The broker when OIDC_ISSUER_URL is set (discovered at the first login, again after a failure); else email codes. */
function applicantOptions(config: Config, logger: Logger) {
  const { identityKey, oidc } = config.applicants;
  const bsnKey = loadBsnKey(config.applicants.bsnKey.file, { create: config.applicants.bsnKey.create });
  if (!oidc) {
    // Codes go through the outbox: sent by the notifications worker once a mail server is configured.
    return { identityKey, bsnKey, mailer: outboxLoginCodeMailer() };
  }
  let discovered: Promise<OidcClient> | undefined;
  const connect = () => {
    discovered ??= discoverOidc(oidc).catch((error: unknown) => {
      discovered = undefined;
      logger.error("OpenID Connect discovery failed", { issuer: oidc.issuerUrl, error: (error as Error)?.name ?? "unknown" });
      throw error;
    });
    return discovered;
  };
  return { identityKey, bsnKey, oidc: connect, oidcRedirectUrl: oidc.redirectUrl, oidcLabel: oidc.label };
}

export async function startServer(config: Config, logger: Logger = consoleLogger): Promise<RunningServer> {
  await useWasmKeccak();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, maxConnections: config.databasePoolSize, warm: true, dataDir: config.dataDir, log: logger });
  // Held from here until close: another replica takes this one's charges' claims over once it is gone.
  const claims = holdClaims({ db: database.db, kind: database.kind, onError: (error) => logger.error("holding the claims' lock failed", failure(error)) });
  try {
    await migrateToLatest(database.db);
    // Each pooled connection plans a till's statements now, not during the first customers' charges.
    if (database.kind === "postgres") await warmChargeStatements(database.db, config.databasePoolSize);
    const sessions = sessionService({ db: database.db, secret: config.sessionSecret, ttlMs: config.sessionTtlMs, reuseMs: config.sessionReuseMs });
    const staff = staffService({ db: database.db, sessions, secret: config.sessionSecret, requireSecondFactor: config.production });
    if (config.staffAdmin) {
      const { created } = await staff.bootstrapAdmin(config.staffAdmin);
      if (created) logger.info?.("created the first staff administrator from STAFF_ADMIN_EMAIL");
    }

    let chain: ChainProbe | undefined;
    let provider: JsonRpcProvider | undefined;
    let ledger: Ledger | undefined;
    let indexer: Indexer | undefined;
    let indexerLag: IndexerLag | undefined;
    let reloadKeys: RunningServer["reloadKeys"] = () => Promise.reject(new ConfigError("no relayer keys to rotate"));
    if (existsSync(config.deploymentFile)) {
      const deployment = parseDeployment(readFileSync(config.deploymentFile, "utf8"));
      const network = Network.from(deployment.chainId);
      // batchStallTime 0: calls made together still share one request (a send and its first receipt
      // look), but none waits 10 ms for company: a charge's calls come one after the other.
      provider = new HttpJsonRpcProvider(config.chainRpcUrl ?? deployment.rpcUrl, network, {
        staticNetwork: network, batchStallTime: 0, timeoutMs: config.chainTimeoutMs,
      });
      chain = chainProbe(provider, deployment);
      indexer = createIndexer({
        db: database.db, dbKind: database.kind, provider, confirmations: config.confirmations, startBlock: deployment.deployedAtBlock,
        // A poll is one eth_blockNumber and a few cursor reads: 4 a second keeps a payment's row within ~¼ s of its block.
        pollIntervalMs: 250, payoutBank: (config.payouts ?? DEFAULT_PAYOUT_CONFIG).bank,
        onError: (error) => logger.error("indexer step failed", failure(error)),
      });
      const running = indexer;
      indexerLag = async () => (await running.lag()).blocks;
      const lanes = await relayerLanes(config, provider, deployment, logger, database.db);
      if (lanes) {
        const rpc = provider;
        reloadKeys = () => reloadLaneKeys(config, lanes, rpc, deployment, database.db);
        const clients = new Map<string, FundClient>();
        ledger = {
          factory: new FactoryClient(lanes, deployment.factory, config.fundAdmin),
          fundClient: (address) => {
            let client = clients.get(address.toLowerCase());
            if (!client) clients.set(address.toLowerCase(), (client = new FundClient(lanes, address)));
            return client;
          },
          // The first staff lane is the sponsor whose reserve pays the budgets.
          sponsor: lanes.for("staff").addresses[0]!,
        };
      }
    } else {
      logger.info?.("no deployment file: the chain is reported as not configured", { deploymentFile: config.deploymentFile });
    }

    // Settlement: the bank adapter named by BANK_ADAPTER; with a chain, reconcile interrupted payouts, then schedule.
    const payoutConfig = config.payouts ?? DEFAULT_PAYOUT_CONFIG;
    const bank = chooseBank(payoutConfig, database.db);
    const payoutLog = (message: string, facts: Record<string, string | number> = {}) => logger.info?.(`payouts: ${message}`, facts);
    payoutLog("bank adapter", { bank: bank.label });
    const payoutSettings = { bank, fourEyesCents: payoutConfig.fourEyesCents, initiatingPartyName: payoutConfig.debtor.name, log: payoutLog, dbKind: database.kind };
    let payoutScheduler: PayoutScheduler | undefined;
    if (ledger) {
      const payoutDeps = { ...payoutSettings, db: database.db, fund: ledger.fundClient };
      await reconcilePayouts(payoutDeps).catch((error: unknown) => logger.error("payout reconciliation at start-up failed; the scheduler retries", { error: (error as Error)?.name ?? "unknown" }));
      payoutScheduler = createPayoutScheduler({
        ...payoutDeps, dbKind: database.kind, intervalMs: payoutConfig.intervalMs,
        onError: (error) => logger.error("payout scheduler tick failed", failure(error)),
      });
    }

    // Notifications are queued whatever the configuration (the daily notices too); with an SMTP server the worker sends them.
    const notificationSecret = createHmac("sha256", config.sessionSecret).update("notifications").digest("base64url");
    let mail: MailSettings | undefined;
    if (config.mail.smtpUrl) {
      const mailer = smtpMailer({ url: config.mail.smtpUrl, from: config.mail.fromAddress, tlsRejectUnauthorized: config.mail.tlsRejectUnauthorized, requireTls: config.mail.requireTls });
      mail = {
        mailer, fromAddress: config.mail.fromAddress, defaultSenderName: config.mail.fromName, publicUrl: config.mail.publicUrl, secret: notificationSecret,
        maxAttempts: config.mail.maxAttempts, retryBaseMs: config.mail.retryBaseMs, claimMs: 5 * 60_000,
      };
    } else {
      logger.info?.("no SMTP_URL: notifications are queued in the outbox and sent once a server is configured");
    }
    const notifier = createNotificationWorker({
      db: database.db, ...(mail && { mail }),
      onError: (error) => logger.error("notifications: a round failed", failure(error)),
    });

    // The letters' codes derive from a key of their own, drawn from SESSION_SECRET (activation-codes.ts).
    const letters: LetterSettings = {
      codeSecret: Buffer.from(hkdfSync("sha256", config.sessionSecret, "", "tegoed activation letter codes", 32)).toString("hex"),
      publicBaseUrl: config.publicBaseUrl ?? "",
      sender: config.letterSender ?? DEMO_SENDER,
    };
    const lanes = ledger?.factory.lanes;
    const metrics = createMetrics({
      relayerQueues: () => (lanes?.relayers() ?? []).flatMap(({ relayer, purposes }) => relayer.load.map((l) => ({ purpose: purposes.join("+"), lane: l.lane, inFlight: l.inFlight }))),
      ...(indexer && { indexerLag: () => indexer!.lag() }),
      payoutsByState: () => payoutsRepository(database.db).countByStatus(),
      dbPool: () => database.poolStats?.(),
    });
    const cards = { pepper: loadCardPepper(config.cardPepper.file, { create: config.cardPepper.create }), helpPhone: config.cardHelpPhone };
    const app = createApp({ database, notificationSecret, sessions, staff, chain, claims, indexerLag, ledger, letters, cookieSecure: config.cookieSecure, trustProxy: config.trustProxy, logger, cards,
      applicants: applicantOptions(config, logger),
      metrics, ...(config.metricsToken !== undefined && { metricsToken: config.metricsToken }),
      applicationLimiter: new GuessLimiter({ maxFailures: config.applicationsPerHour, windowMs: 60 * 60_000 }), publicFiguresPeriodMs: config.publicFiguresPeriodMs, appsRoot: REPOSITORY_ROOT, payouts: payoutSettings });
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, (error?: Error) => (error ? reject(error) : resolve(s)));
    });
    const port = (server.address() as AddressInfo).port;
    // Without PUBLIC_BASE_URL (a local demo) the letters point at this server, on whatever port it got.
    if (!config.publicBaseUrl) letters.publicBaseUrl = `http://127.0.0.1:${port}`;
    indexer?.start();
    payoutScheduler?.start();
    notifier.start();
    const purge = setInterval(() => {
      sessions.purgeExpired().catch((error: unknown) => logger.error("purging expired sessions failed", { error: (error as Error).name }));
      purgeApplications({ db: database.db, clock: () => new Date() })
        .catch((error: unknown) => logger.error("purging applications past their retention failed", { error: (error as Error).name }));
    }, PURGE_EVERY_MS);
    purge.unref();
    logger.info?.("listening", { port });
    return {
      server,
      port,
      reloadKeys: () => reloadKeys(),
      async close() {
        clearInterval(purge);
        await indexer?.stop();
        await payoutScheduler?.stop();
        await notifier.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
        // Only now: a charge still answering keeps its claim marked as this process's until it is done.
        await claims.stop();
        provider?.destroy();
        await database.close();
      },
    };
  } catch (error) {
    await claims.stop();
    await database.close();
    throw error;
  }
}

/**
 * The relayers by purpose, from the configured keys, after the start-up checks: no development key on
 * a chain that is not local, a fund admin that is not one of the backend's keys, and each key holding
 * exactly the roles of its purpose on every fund (broader only with ALLOW_BROAD_KEYS, or on a local
 * chain with the development key or one shared key list). Undefined: no keys, so no chain writes.
 */
/** What an operator needs to follow a node that restarts or loses its pool: re-sends and nonce re-syncs. */
function relayerLog(logger: Logger): (event: RelayerEvent) => void {
  return (event) => {
    if (event.type === "replaced") logger.info?.("relayer: re-sent a transaction with the same nonce", { lane: event.lane, nonce: event.nonce, label: event.label });
    if (event.type === "replace-failed") logger.error("relayer: re-sending failed", { lane: event.lane, nonce: event.nonce, label: event.label, ...failure(event.error) });
    if (event.type === "nonce-resync") logger.info?.("relayer: nonce re-read from the node", { lane: event.lane, reason: event.reason });
  };
}

async function relayerLanes(config: Config, provider: JsonRpcProvider, deployment: Deployment, logger: Logger, db: Db): Promise<RelayerSet | undefined> {
  const chainId = BigInt(deployment.chainId);
  const local = LOCAL_CHAIN_IDS.has(chainId);
  const relayer = (keys: readonly string[]) => new Relayer({ provider, keys, confirmations: config.confirmations, onEvent: relayerLog(logger) });
  let lanes: RelayerSet;
  let allowBroad = config.allowBroadKeys;
  let variables: Record<Purpose, string>;
  const perPurpose = await readLaneKeys(config);
  if (perPurpose) {
    for (const purpose of PURPOSES) refuseDevelopmentKeys(perPurpose[purpose], config.laneKeys![purpose].variable, chainId, local);
    lanes = new RelayerSet(Object.fromEntries(PURPOSES.map((p) => [p, relayer(perPurpose[p])])) as Record<Purpose, Relayer>);
    variables = Object.fromEntries(PURPOSES.map((p) => [p, config.laneKeys![p].variable])) as Record<Purpose, string>;
  } else {
    let keys = config.relayerPrivateKeys;
    let variable = "RELAYER_PRIVATE_KEYS";
    if (!keys && local) {
      // The local demo: the first development account deployed everything and holds every role.
      keys = [DEV_PRIVATE_KEYS[0]];
      variable = "the development key";
      allowBroad = true;
      logger.info?.("local chain without relayer keys: relaying with the first development account");
    }
    if (!keys) {
      logger.info?.("no relayer keys: fund and budget routes answer CHAIN_UNAVAILABLE when they need the chain");
      return undefined;
    }
    refuseDevelopmentKeys(keys, variable, chainId, local);
    // One key list serves every purpose, so each of its keys holds every purpose's roles.
    if (!local && !allowBroad) {
      throw new ConfigError(`RELAYER_PRIVATE_KEYS gives every key every role on chain ${chainId}; give keys per purpose (${PURPOSES.map((p) => `${PURPOSE_VARIABLE[p]}_FILE`).join(", ")}) or set ALLOW_BROAD_KEYS=1`);
    }
    allowBroad ||= local;
    lanes = RelayerSet.shared(relayer(keys));
    variables = Object.fromEntries(PURPOSES.map((p) => [p, variable])) as Record<Purpose, string>;
  }
  const laneAddresses = new Set(lanes.relayers().flatMap(({ relayer }) => relayer.addresses));
  if (config.fundAdmin === undefined && !local) {
    throw new ConfigError(`FUND_ADMIN is required on chain ${chainId}: the municipality's own key (or multisig) administers every fund, never a backend key`);
  }
  if (config.fundAdmin !== undefined && laneAddresses.has(config.fundAdmin) && !allowBroad) {
    throw new ConfigError(`FUND_ADMIN ${config.fundAdmin} is one of the backend's own keys: the fund admin must be the municipality's own key (or multisig)`);
  }
  await checkRolesOrRefuse({ provider, lanes, variables, funds: await servedFunds(deployment, db), factory: deployment.factory, allowBroad });
  return lanes;
}

async function servedFunds(deployment: Deployment, db: Db) {
  const funds = new Map<string, { address: string; name: string }>();
  for (const fund of deployment.funds) funds.set(fund.address.toLowerCase(), { address: fund.address, name: fund.name });
  for (const fund of await fundsRepository(db).list()) funds.set(fund.chainAddress.toLowerCase(), { address: fund.chainAddress, name: fund.name });
  return [...funds.values()];
}

async function checkRolesOrRefuse(check: Parameters<typeof checkLaneRoles>[0]): Promise<void> {
  let problems: string[];
  try {
    problems = await checkLaneRoles(check);
  } catch (error) {
    throw new ConfigError(`the relayer keys' roles could not be read from the chain (${(error as Error).message.slice(0, 120)})`);
  }
  if (problems.length > 0) {
    throw new ConfigError(problems.length === 1 ? problems[0]! : `${problems[0]} (and ${problems.length - 1} more: ${problems.slice(1).join("; ")})`);
  }
}

/**
 * Key rotation without downtime: reads the keystore files again (a folder given in RELAYER_KEYS_…_FILE
 * holds every *.json in it), checks the new set's roles as at start, then adds the new keys as lanes
 * and retires the ones no longer listed (they finish what they have in flight). A refused set changes
 * nothing. Only for keys per purpose.
 */
export async function reloadLaneKeys(
  config: Config, lanes: RelayerSet, provider: JsonRpcProvider, deployment: Deployment, db: Db,
): Promise<{ added: string[]; retired: string[]; drained: Promise<void> }> {
  const keys = await readLaneKeys(config);
  if (!keys) throw new ConfigError("key rotation needs keys per purpose (RELAYER_KEYS_…_FILE)");
  const chainId = BigInt(deployment.chainId);
  for (const purpose of PURPOSES) refuseDevelopmentKeys(keys[purpose], config.laneKeys![purpose].variable, chainId, LOCAL_CHAIN_IDS.has(chainId));
  // Throwaway relayers, only to name the candidate addresses for the role check.
  const candidate = new RelayerSet(Object.fromEntries(PURPOSES.map((p) => [p, new Relayer({ provider, keys: keys[p] })])) as Record<Purpose, Relayer>);
  const variables = Object.fromEntries(PURPOSES.map((p) => [p, config.laneKeys![p].variable])) as Record<Purpose, string>;
  await checkRolesOrRefuse({ provider, lanes: candidate, variables, funds: await servedFunds(deployment, db), factory: deployment.factory, allowBroad: config.allowBroadKeys });
  const added: string[] = [];
  const retired: string[] = [];
  const draining: Promise<void>[] = [];
  for (const purpose of PURPOSES) {
    const relayer = lanes.for(purpose);
    const wanted = new Set(candidate.for(purpose).addresses);
    for (const key of keys[purpose]) {
      const before = relayer.addresses.length;
      const address = relayer.addLane(key);
      if (relayer.addresses.length > before) added.push(address);
    }
    for (const address of relayer.addresses) {
      if (wanted.has(address)) continue;
      retired.push(address);
      draining.push(relayer.retireLane(address));
    }
  }
  return { added, retired, drained: Promise.all(draining).then(() => undefined) };
}
