// The store's failed webhook deliveries for the admin's failures list (app.sync.failures): receipts
// whose processing failed, with whether pg-boss is still retrying them or moved their job to the
// dead-letter queue (`webhook.dead`). Retry re-enqueues a failure exactly once (a conditional
// UPDATE decides, so a double click or two admins cannot queue it twice); Dismiss hides it. Every
// query is scoped by store: another store's failure id is simply not found.
import { Prisma } from "@prisma/client";
import type { Services } from "#app/server/services.server.ts";
import { QUEUES, type WebhookJob } from "#app/jobs/queues.ts";
import { failureDetail, failureReason, type FailureReason, type FailureState } from "./failures.ts";

type Deps = Pick<Services, "db" | "boss">;

export interface SyncFailure {
  id: string;
  platform: string;
  topic: string;
  resourceId: string | null;
  receivedAt: Date;
  attempts: number;
  reason: FailureReason;
  detail: string;
  state: FailureState;
}

/** Dead-letter jobs of one store, by receipt id. */
async function deadLetters(services: Deps, storeId: number): Promise<Map<string, string[]>> {
  const jobs = await services.boss.findJobs<WebhookJob>(QUEUES.webhookDead, { data: { storeId }, limit: 10_000 });
  const byReceipt = new Map<string, string[]>();
  for (const j of jobs) byReceipt.set(j.data.receiptId, [...(byReceipt.get(j.data.receiptId) ?? []), j.id]);
  return byReceipt;
}

export async function listFailures(services: Deps, storeId: number, opts: { limit?: number } = {}): Promise<{ failures: SyncFailure[]; total: number }> {
  const { db } = services;
  const where = { storeId, status: "failed" as const, dismissedAt: null };
  const [receipts, total, dead] = await Promise.all([
    db.webhookReceipt.findMany({
      where,
      orderBy: { receivedAt: "desc" },
      take: opts.limit ?? 100,
      select: { id: true, platform: true, topic: true, resourceId: true, receivedAt: true, attempts: true, error: true },
    }),
    db.webhookReceipt.count({ where }),
    deadLetters(services, storeId),
  ]);
  const ids = receipts.map((r) => r.id.toString());
  // Jobs pg-boss still holds for these receipts (waiting for a retry, or running).
  const pending = ids.length
    ? await db.$queryRaw<{ receiptId: string }[]>(Prisma.sql`
        SELECT DISTINCT data->>'receiptId' AS "receiptId" FROM pgboss.job
        WHERE name = ${QUEUES.webhookProcess} AND state IN ('created', 'retry', 'active')
          AND data->>'storeId' = ${String(storeId)} AND data->>'receiptId' IN (${Prisma.join(ids)})`)
    : [];
  const retrying = new Set(pending.map((p) => p.receiptId));
  return {
    total,
    failures: receipts.map((r) => {
      const id = r.id.toString();
      return {
        id,
        platform: r.platform,
        topic: r.topic,
        resourceId: r.resourceId,
        receivedAt: r.receivedAt,
        attempts: r.attempts,
        reason: failureReason(r.error),
        detail: failureDetail(r.error),
        state: dead.has(id) ? "deadLettered" : retrying.has(id) ? "retrying" : "gaveUp",
      };
    }),
  };
}

/** Parse a failure id from the UI; null when it is not one. */
export function parseFailureId(id: string): bigint | null {
  return /^\d{1,18}$/.test(id) ? BigInt(id) : null;
}

async function forgetDeadLetter(services: Deps, storeId: number, receiptId: bigint): Promise<void> {
  const jobs = (await deadLetters(services, storeId)).get(receiptId.toString());
  if (jobs?.length) await services.boss.deleteJob(QUEUES.webhookDead, jobs);
}

/**
 * Queue a failed delivery again. Returns false when this store has no such open failure (unknown
 * id, another store's, already retried or dismissed): the caller answers 404.
 */
export async function retryFailure(services: Deps, storeId: number, receiptId: bigint): Promise<boolean> {
  // The conditional UPDATE is the once-only gate: of two concurrent clicks one changes the row.
  const { count } = await services.db.webhookReceipt.updateMany({
    where: { storeId, id: receiptId, status: "failed", dismissedAt: null },
    data: { status: "received" },
  });
  if (count !== 1) return false;
  await forgetDeadLetter(services, storeId, receiptId);
  await services.boss.send(QUEUES.webhookProcess, { storeId, receiptId: receiptId.toString() } satisfies WebhookJob);
  return true;
}

/** Hide a failure from the list (the receipt stays failed). False when there is no such open failure. */
export async function dismissFailure(services: Deps, storeId: number, receiptId: bigint): Promise<boolean> {
  const { count } = await services.db.webhookReceipt.updateMany({
    where: { storeId, id: receiptId, status: "failed", dismissedAt: null },
    data: { dismissedAt: new Date() },
  });
  if (count !== 1) return false;
  await forgetDeadLetter(services, storeId, receiptId);
  return true;
}
