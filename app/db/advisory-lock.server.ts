// A PostgreSQL session advisory lock around work that is not a database transaction (calls to a
// platform's API, say), so that two processes doing the same per-store work take turns.
import { poolOf, type Db } from "./client.server.ts";

/**
 * Runs `fn` while holding the advisory lock (`name`, `id`) on a dedicated pool connection. The lock
 * is released when `fn` settles — or by PostgreSQL itself if the connection dies.
 */
export async function withAdvisoryLock<T>(db: Db, name: string, id: number, fn: () => Promise<T>): Promise<T> {
  const client = await poolOf(db).connect();
  let broken: Error | undefined;
  try {
    await client.query("SELECT pg_advisory_lock(hashtext($1), $2::int)", [name, id]);
    try {
      return await fn();
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1), $2::int)", [name, id]).catch((err: Error) => {
        broken = err;
      });
    }
  } finally {
    // A connection whose unlock failed may still hold the lock: drop it rather than reuse it.
    client.release(broken ?? false);
  }
}
