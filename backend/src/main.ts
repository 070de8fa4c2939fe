// `node backend/src/main.ts`: the backend process. A bad configuration stops it with one line.
import { ConfigError, loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { startServer } from "./server.ts";

try {
  const config = loadConfig(process.env);
  const running = await startServer(config, createLogger(config.logLevel));
  const stop = () => void running.close().then(() => process.exit(0));
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
