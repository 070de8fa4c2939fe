// Start-up: configuration → database (migrated) → services → first admin → HTTP. `main.ts` runs it.
import { existsSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { JsonRpcProvider, Network } from "ethers";
import { parseDeployment } from "@tegoed/sdk";
import { FactoryClient } from "./chain/factory-client.ts";
import { FundClient } from "./chain/fund-client.ts";
import { Relayer } from "./chain/relayer.ts";
import type { Config } from "./config.ts";
import { migrateToLatest, openDatabase } from "./db/index.ts";
import { sessionService } from "./domain/auth/index.ts";
import { staffService } from "./domain/staff/index.ts";
import { createApp } from "./http/app.ts";
import { consoleLogger, type Logger } from "./http/errors.ts";
import { chainProbe, type ChainProbe } from "./http/health.ts";
import type { Ledger } from "./http/ledger.ts";

const PURGE_EVERY_MS = 60 * 60_000;

export interface RunningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger = consoleLogger): Promise<RunningServer> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
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
    if (existsSync(config.deploymentFile)) {
      const deployment = parseDeployment(readFileSync(config.deploymentFile, "utf8"));
      const network = Network.from(deployment.chainId);
      provider = new JsonRpcProvider(config.chainRpcUrl ?? deployment.rpcUrl, network, { staticNetwork: network });
      chain = chainProbe(provider, deployment);
      if (config.relayerPrivateKeys) {
        // The relayer's first lane needs the factory's FUND_CREATOR_ROLE; it is also the sponsor of every fund.
        const relayer = new Relayer({ provider, keys: config.relayerPrivateKeys, confirmations: config.confirmations });
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

    const app = createApp({ database, sessions, staff, chain, ledger, cookieSecure: config.cookieSecure, logger });
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, (error?: Error) => (error ? reject(error) : resolve(s)));
    });
    const port = (server.address() as AddressInfo).port;
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
