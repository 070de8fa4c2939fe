// Start-up: configuration → database (migrated) → services → first admin → HTTP. `main.ts` runs it.
import { hkdfSync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type JsonRpcProvider, Network } from "ethers";
import { parseDeployment } from "@tegoed/sdk";
import { FactoryClient } from "./chain/factory-client.ts";
import { FundClient } from "./chain/fund-client.ts";
import { HttpJsonRpcProvider } from "./chain/http-provider.ts";
import { useWasmKeccak } from "./chain/keccak.ts";
import { Relayer } from "./chain/relayer.ts";
import { DEFAULT_PAYOUT_CONFIG, REPOSITORY_ROOT, type Config } from "./config.ts";
import { migrateToLatest, openDatabase } from "./db/index.ts";
import { sessionService } from "./domain/auth/index.ts";
import { DEMO_SENDER, GuessLimiter, type LetterSettings } from "./domain/eligibility/index.ts";
import { createIndexer, type Indexer } from "./domain/indexer/index.ts";
import { createPayoutScheduler, reconcilePayouts, type PayoutScheduler } from "./domain/payouts/index.ts";
import { chooseBank } from "./bank/choose.ts";
import { staffService } from "./domain/staff/index.ts";
import { DEV_PRIVATE_KEYS, LOCAL_CHAIN_IDS } from "../../scripts/lib/local-chain.ts";
import { createApp } from "./http/app.ts";
import { consoleLogger, type Logger } from "./http/errors.ts";
import { chainProbe, type ChainProbe, type IndexerLag } from "./http/health.ts";
import type { Ledger } from "./http/ledger.ts";

const PURGE_EVERY_MS = 60 * 60_000;

export interface RunningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger = consoleLogger): Promise<RunningServer> {
  await useWasmKeccak();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, maxConnections: config.databasePoolSize, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    const sessions = sessionService({ db: database.db, secret: config.sessionSecret, ttlMs: config.sessionTtlMs });
    const staff = staffService({ db: database.db, sessions, secret: config.sessionSecret });
    if (config.staffAdmin) {
      const { created } = await staff.bootstrapAdmin(config.staffAdmin);
      if (created) logger.info?.("created the first staff administrator from STAFF_ADMIN_EMAIL");
    }

    let chain: ChainProbe | undefined;
    let provider: JsonRpcProvider | undefined;
    let ledger: Ledger | undefined;
    let indexer: Indexer | undefined;
    let indexerLag: IndexerLag | undefined;
    if (existsSync(config.deploymentFile)) {
      const deployment = parseDeployment(readFileSync(config.deploymentFile, "utf8"));
      const network = Network.from(deployment.chainId);
      // batchStallTime 0: calls made together still share one request (a send and its first receipt
      // look), but none waits 10 ms for company: a charge's calls come one after the other.
      provider = new HttpJsonRpcProvider(config.chainRpcUrl ?? deployment.rpcUrl, network, { staticNetwork: network, batchStallTime: 0 });
      chain = chainProbe(provider, deployment);
      indexer = createIndexer({
        db: database.db, dbKind: database.kind, provider, confirmations: config.confirmations, startBlock: deployment.deployedAtBlock,
        // A poll is one eth_blockNumber and a few cursor reads: 4 a second keeps a payment's row within ~¼ s of its block.
        pollIntervalMs: 250,
        onError: (error) => logger.error("indexer step failed", { error: (error as Error)?.name ?? "unknown" }),
      });
      const running = indexer;
      indexerLag = async () => (await running.lag()).blocks;
      // On a local development chain only, the README's `npm start` works without keys: the first
      // well-known development account deploys the contracts and holds every fund role there.
      let relayerKeys = config.relayerPrivateKeys;
      if (!relayerKeys && LOCAL_CHAIN_IDS.has(BigInt(deployment.chainId))) {
        relayerKeys = [DEV_PRIVATE_KEYS[0]];
        logger.info?.("local chain without RELAYER_PRIVATE_KEYS: relaying with the first development account");
      }
      if (relayerKeys) {
        // The relayer's first lane needs the factory's FUND_CREATOR_ROLE; it is also the sponsor of every fund.
        const relayer = new Relayer({ provider, keys: relayerKeys, confirmations: config.confirmations });
        const clients = new Map<string, FundClient>();
        ledger = {
          factory: new FactoryClient(relayer, deployment.factory),
          fundClient: (address) => {
            let client = clients.get(address.toLowerCase());
            if (!client) clients.set(address.toLowerCase(), (client = new FundClient(relayer, address)));
            return client;
          },
          sponsor: relayer.addresses[0]!,
        };
      } else {
        logger.info?.("no RELAYER_PRIVATE_KEYS: fund and budget routes answer CHAIN_UNAVAILABLE when they need the chain");
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
        onError: (error) => logger.error("payout scheduler tick failed", { error: (error as Error)?.name ?? "unknown" }),
      });
    }

    // The letters' codes derive from a key of their own, drawn from SESSION_SECRET (activation-codes.ts).
    const letters: LetterSettings = {
      codeSecret: Buffer.from(hkdfSync("sha256", config.sessionSecret, "", "tegoed activation letter codes", 32)).toString("hex"),
      publicBaseUrl: config.publicBaseUrl ?? "",
      sender: config.letterSender ?? DEMO_SENDER,
    };
    const app = createApp({ database, sessions, staff, chain, indexerLag, ledger, letters, cookieSecure: config.cookieSecure, trustProxy: config.trustProxy, logger,
      applicationLimiter: new GuessLimiter({ maxFailures: config.applicationsPerHour, windowMs: 60 * 60_000 }), appsRoot: REPOSITORY_ROOT, payouts: payoutSettings });
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, (error?: Error) => (error ? reject(error) : resolve(s)));
    });
    const port = (server.address() as AddressInfo).port;
    // Without PUBLIC_BASE_URL (a local demo) the letters point at this server, on whatever port it got.
    if (!config.publicBaseUrl) letters.publicBaseUrl = `http://127.0.0.1:${port}`;
    indexer?.start();
    payoutScheduler?.start();
    const purge = setInterval(() => {
      sessions.purgeExpired().catch((error: unknown) => logger.error("purging expired sessions failed", { error: (error as Error).name }));
    }, PURGE_EVERY_MS);
    purge.unref();
    logger.info?.("listening", { port });
    return {
      server,
      port,
      async close() {
        clearInterval(purge);
        await indexer?.stop();
        await payoutScheduler?.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
        provider?.destroy();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
