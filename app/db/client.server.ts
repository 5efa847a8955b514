// The Prisma client, over node-postgres through the driver adapter (no native query engine).
import { PrismaClient } from "@prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

export type Db = PrismaClient;

// On the client object under a registry symbol, not in a module-level map: Remix routes run in
// Vite's SSR module graph, a second instance of this module that must find the same pool.
const POOL = Symbol.for("caderninho.db.pgPool");

/**
 * The node-postgres pool under a Db, for the few hot paths where Prisma's per-query overhead
 * (~0.4 ms of CPU on the event loop) matters: the webhook receipt INSERT runs once per delivery.
 */
export function poolOf(db: Db): pg.Pool {
  const pool = (db as Db & { [POOL]?: pg.Pool })[POOL];
  if (!pool) throw new Error("poolOf: this Db was not made by createDb");
  return pool;
}

export function createDb(databaseUrl: string, opts: { max?: number; onError?: (err: Error) => void } = {}): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: opts.max ?? 10 });
  // An idle connection that PostgreSQL closes (restart, failover, a dropped test database) emits
  // 'error' on the pool; unhandled, that would crash the process. The pool replaces it on demand.
  pool.on("error", (err) => opts.onError?.(err));
  const client = new PrismaClient({ adapter: new PrismaPg(pool) });
  // The adapter does not end a pool it was given: do it on disconnect.
  const disconnect = client.$disconnect.bind(client);
  client.$disconnect = async () => {
    await disconnect();
    if (!pool.ended) await pool.end();
  };
  Object.defineProperty(client, POOL, { value: pool });
  return client;
}
