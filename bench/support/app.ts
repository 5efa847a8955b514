// The real app on a fresh database of the bench PostgreSQL, wired like app/server/main.ts (and
// test/support/test-services.ts): startServices (migrations applied), optionally startWorkers and
// startHttp on a free loopback port.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import pg from "pg";
import { loadConfig } from "../../app/config.server.ts";
import { withDatabase } from "../../app/db/embedded-postgres.server.ts";
import { startWorkers } from "../../app/jobs/worker.server.ts";
import { createLogger } from "../../app/logger.server.ts";
import { startHttp, type RunningHttp } from "../../app/server/http.server.ts";
import { startServices } from "../../app/server/services.server.ts";
import { startWorkerChild, type WorkerChild } from "../../app/server/worker-child.server.ts";
import type { BenchPostgres } from "./postgres.ts";
import type { BenchApp } from "./types.ts";

/** App logs go to a file; warnings and errors are counted so a phase can report them. */
export class LogSink extends Writable {
  warnings = 0;
  errors = 0;
  lastError: string | null = null;
  private fd: number;
  constructor(file: string) {
    super();
    this.fd = fs.openSync(file, "a");
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void) {
    for (const line of chunk.toString("utf8").split("\n")) {
      const m = /"level":(\d+)/.exec(line);
      if (!m) continue;
      const level = Number(m[1]);
      if (level >= 50) {
        this.errors++;
        this.lastError = line.slice(0, 500);
      } else if (level >= 40) this.warnings++;
    }
    fs.write(this.fd, chunk, (err) => cb(err));
  }
  close() {
    fs.closeSync(this.fd);
  }
}

export interface AppFactoryOptions {
  pg: BenchPostgres;
  tmpDir: string;
  production: boolean;
  workerConcurrency: number;
  logSink: LogSink;
}

export function appFactory(o: AppFactoryOptions) {
  // One data dir (and so one demo webhook secret, generated once) for every app of every run.
  const dataDir = path.join(o.tmpDir, "data");
  const encryptionKey = randomBytes(32).toString("base64");
  return async function startApp(label: string, opts: { http: boolean; workers: boolean | "child"; env?: Record<string, string> }): Promise<BenchApp> {
    const name = `bench_${label.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}`;
    await o.pg.dropDatabase(name);
    const databaseUrl = withDatabase(o.pg.url, name);
    const env = {
      NODE_ENV: o.production ? "production" : "development",
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      ADMIN_PASSWORD: "bench-password-123",
      ENCRYPTION_KEY: encryptionKey,
      LOG_LEVEL: "warn",
      DEMO_STORE: "0",
      WORKER_CONCURRENCY: String(o.workerConcurrency),
      ...opts.env,
    };
    const config = loadConfig(env);
    const log = createLogger("warn", o.logSink);
    // Migrations on (the real start-up path); no cron scheduling (the sweep runs every minute and
    // would only add noise to a measurement that lasts about that long).
    const services = await startServices(config, { log, skipMigrations: false, schedule: false });
    let http: RunningHttp | null = null;
    const monitor = new pg.Pool({ connectionString: o.pg.asMonitor(databaseUrl), max: 2, application_name: "bench-monitor" });
    // An idle monitor connection closed by PostgreSQL (the database dropped WITH (FORCE)) must not crash the run.
    monitor.on("error", () => undefined);
    let closed = false;
    let child: WorkerChild | null = null;
    try {
      if (opts.workers === "child") child = startWorkerChild(databaseUrl, log, env);
      else if (opts.workers) await startWorkers(services);
      if (opts.http) http = await startHttp(services, { port: 0, host: "127.0.0.1", production: o.production });
    } catch (e) {
      await services.stop().catch(() => undefined);
      await monitor.end().catch(() => undefined);
      throw e;
    }
    return {
      services,
      http,
      databaseUrl,
      async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
        return (await monitor.query<T>(sql, params)).rows;
      },
      startWorkers: () => startWorkers(services),
      async close() {
        if (closed) return;
        closed = true;
        try {
          await http?.close();
          // A bench database is dropped right after: a worker still busy (a rescore in flight) is not waited for long.
          await child?.stop(10_000);
          await services.stop();
        } finally {
          await monitor.end().catch(() => undefined);
          if (process.env.BENCH_KEEP !== "1") await o.pg.dropDatabase(name);
        }
      },
    };
  };
}
