// pg-boss's `db` option over a Prisma interactive transaction: the job row is written by the
// transaction's own connection, so it commits or rolls back with the caller's writes. Use it where
// a crash between "changed" and "enqueued" would lose the follow-up for good (nothing retries it).
import type { Prisma } from "@prisma/client";

export interface JobsExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export function jobsWithin(tx: Prisma.TransactionClient): JobsExecutor {
  return { executeSql: async (text, values = []) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) }) };
}
