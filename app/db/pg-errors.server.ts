// SQLSTATEs from either driver, and the retry every set-based writer needs when a concurrent
// webhook batch locks some of the same rows in another order.

/** deadlock_detected, serialization_failure: the transaction lost a race and may simply run again. */
const CONFLICTS = new Set(["40P01", "40001"]);

/** The SQLSTATE of an error from node-postgres or from Prisma (raw query P2010 "Code: `40P01`", P2034 write conflict / deadlock). */
export function pgErrorCode(e: unknown): string | null {
  const error = e as { code?: unknown; meta?: { code?: unknown }; message?: unknown };
  if (error?.code === "P2034") return "40P01";
  if (typeof error?.meta?.code === "string" && /^\w{5}$/.test(error.meta.code)) return error.meta.code;
  if (typeof error?.code === "string" && /^[0-9A-Z]{5}$/.test(error.code)) return error.code;
  return typeof error?.message === "string" ? (/Code: `(\w{5})`/.exec(error.message)?.[1] ?? null) : null;
}

/**
 * Runs `attempt` (a whole transaction) again after a deadlock or serialization failure, up to
 * `attempts` times in all, with a short random pause growing per attempt; any other error, or the
 * last conflict, is thrown.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, attempts = 5): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (!CONFLICTS.has(pgErrorCode(e) ?? "") || n >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 50 * n * Math.random()));
    }
  }
}
