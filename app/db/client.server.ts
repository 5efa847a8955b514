// The Prisma client, over node-postgres through the driver adapter (no native query engine).
import { PrismaClient } from "@prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

export type Db = PrismaClient;

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
  return client;
}
