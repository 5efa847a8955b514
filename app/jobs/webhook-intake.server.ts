// The fast half of receiving a webhook: store the raw delivery once (deduplicated on the
// platform's delivery id) and enqueue it. The slow half runs in the worker
// (webhook-process.server.ts). A crash between the two steps is healed by the sweep job.
import { Prisma } from "@prisma/client";
import type { Services } from "#app/server/services.server.ts";
import { poolOf } from "#app/db/client.server.ts";
import { QUEUES, type WebhookJob } from "./queues";

export interface IncomingWebhook {
  storeId: number;
  platform: "shopify" | "woocommerce";
  topic: string;
  dedupeKey: string;
  resourceId: string | null;
  triggeredAt: Date | null;
  body: string;
}

/**
 * Enqueues in small batches: one pg-boss insert per few milliseconds instead of one per request.
 * The receipt row is already durable when we answer 200, so a batch lost to a crash is only late:
 * the sweep job finds its receipts still `received` and enqueues them again.
 */
class EnqueueBuffer {
  private pending: WebhookJob[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inflight = new Set<Promise<void>>();
  constructor(private readonly services: Pick<Services, "boss" | "log">) {}

  add(job: WebhookJob) {
    this.pending.push(job);
    if (this.pending.length >= 200) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), 5);
  }

  flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    const p = this.services.boss
      .insert(QUEUES.webhookProcess, batch.map((data) => ({ data, singletonKey: `receipt:${data.storeId}:${data.receiptId}` })))
      .then(() => undefined)
      .catch((err: unknown) => this.services.log.error({ err, jobs: batch.length }, "enqueue failed; the sweep job will retry"))
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  async drain() {
    this.flush();
    await Promise.all(this.inflight);
  }
}

const buffers = new WeakMap<object, EnqueueBuffer>();
function bufferFor(services: Pick<Services, "boss" | "log">): EnqueueBuffer {
  let b = buffers.get(services.boss);
  if (!b) {
    b = new EnqueueBuffer(services);
    buffers.set(services.boss, b);
  }
  return b;
}

/** Wait for enqueues still in the buffer (graceful shutdown, tests). */
export async function flushWebhookEnqueues(services: Pick<Services, "boss" | "log">): Promise<void> {
  await buffers.get(services.boss)?.drain();
}

/** A named (server-side prepared) statement: parsed and planned once per connection. */
const INSERT_RECEIPT = {
  name: "webhook-receipt-insert",
  text: `INSERT INTO "WebhookReceipt" ("storeId", platform, topic, "dedupeKey", "resourceId", "triggeredAt", body)
         VALUES ($1, $2::"Platform", $3, $4, $5, $6, $7)
         ON CONFLICT ("storeId", "dedupeKey") DO NOTHING
         RETURNING id`,
};

export async function receiveWebhook(services: Pick<Services, "db" | "boss" | "log">, w: IncomingWebhook): Promise<{ duplicate: boolean }> {
  // Plain node-postgres, not Prisma: this runs once per delivery on the web event loop.
  const { rows } = await poolOf(services.db).query<{ id: string }>({
    ...INSERT_RECEIPT,
    values: [w.storeId, w.platform, w.topic, w.dedupeKey, w.resourceId, w.triggeredAt, w.body],
  });
  const id = rows[0]?.id;
  if (id === undefined) return { duplicate: true };
  bufferFor(services).add({ storeId: w.storeId, receiptId: id });
  return { duplicate: false };
}

/** Enqueue receipts stored more than `olderThanSeconds` ago that nothing processed. */
export async function sweepStrandedReceipts(services: Pick<Services, "db" | "boss">, olderThanSeconds = 60): Promise<number> {
  const stranded = await services.db.$queryRaw<{ storeId: number; id: bigint }[]>(Prisma.sql`
    SELECT "storeId", id FROM "WebhookReceipt"
    WHERE status = 'received' AND "receivedAt" < now() - make_interval(secs => ${olderThanSeconds})
    ORDER BY "receivedAt" LIMIT 10000`);
  if (stranded.length === 0) return 0;
  await services.boss.insert(
    QUEUES.webhookProcess,
    stranded.map((r) => ({ data: { storeId: r.storeId, receiptId: r.id.toString() } satisfies WebhookJob, singletonKey: `receipt:${r.storeId}:${r.id}` })),
  );
  return stranded.length;
}
