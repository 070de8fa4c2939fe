// A payout process for the kill test (process-kill.test.ts): opens the database (PGlite folder or
// PostgreSQL URL), pays a run with the simulated bank, and at the `KILL_POINT` of the `KILL_AT`-th
// payout prints "READY <reference>" and hangs, so the parent can SIGKILL it exactly there.
import { JsonRpcProvider, Network } from "ethers";
import { openDatabase } from "../../../src/db/connect.ts";
import { FundClient } from "../../../src/chain/fund-client.ts";
import { Relayer } from "../../../src/chain/relayer.ts";
import { simulatedBank } from "../../../src/bank/simulated.ts";
import { startAndProcess, type CrashPoint } from "../../../src/domain/payouts/index.ts";

const env = process.env;
const database = await openDatabase(env.CHILD_DATABASE_URL ? { databaseUrl: env.CHILD_DATABASE_URL } : { dataDir: env.CHILD_DATA_DIR! });
const chainId = BigInt(env.CHILD_CHAIN_ID!);
const provider = new JsonRpcProvider(env.CHILD_CHAIN_URL!, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1, batchStallTime: 0 });
const relayer = new Relayer({ provider, keys: env.CHILD_KEYS!.split(","), pollIntervalMs: 20 });
const killPoint = env.CHILD_KILL_POINT as CrashPoint;
const killAt = Number(env.CHILD_KILL_AT);
let reached = 0;

await startAndProcess(
  {
    db: database.db,
    fund: (address) => new FundClient(relayer, address),
    bank: simulatedBank(database.db),
    dbKind: database.kind,
    log: () => {},
    crashAt: (point, payout) => {
      if (point !== killPoint || ++reached !== killAt) return;
      process.stdout.write(`READY ${payout?.reference ?? ""}\n`);
      return new Promise<void>(() => {}); // hang here until killed
    },
  },
  { fundId: env.CHILD_FUND_ID!, trigger: "manual", staffUserId: null },
);
process.stdout.write("FINISHED\n");
process.exit(0);
