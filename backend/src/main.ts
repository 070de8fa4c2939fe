// `node backend/src/main.ts`: the backend process. A bad configuration stops it with one line.
import { ConfigError, loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { startServer } from "./server.ts";

try {
  const config = loadConfig(process.env);
  const running = await startServer(config, createLogger(config.logLevel));
  const stop = () => void running.close().then(() => process.exit(0));
  // Key rotation: put the new keystore in the lane's folder (and remove the old one), then SIGHUP.
  process.on("SIGHUP", () => {
    running.reloadKeys().then(
      ({ added, retired, drained }) => {
        console.log(JSON.stringify({ level: 30, msg: "relayer keys reloaded", added, retired }));
        void drained.then(() => console.log(JSON.stringify({ level: 30, msg: "retired relayer keys drained", retired })));
      },
      (error: unknown) => console.error(JSON.stringify({ level: 50, msg: `relayer keys not reloaded: ${(error as Error).message}` })),
    );
  });
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
