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

const SETTINGS = ["shared_buffers", "fsync", "synchronous_commit", "wal_sync_method", "commit_delay", "max_connections", "work_mem"];

export async function startBenchPostgres(tmpDir: string, log: (line: string) => void): Promise<BenchPostgres> {
  const dataDir = path.join(tmpDir, `pg-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const port = await freePort();
  const t0 = Date.now();
  const server = await startEmbeddedPostgres({ dataDir, port });
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
