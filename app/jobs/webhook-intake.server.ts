// The fast half of receiving a webhook: store the raw delivery once (deduplicated on the
// platform's delivery id) and enqueue it. The slow half runs in the worker
// (webhook-process.server.ts). A crash between the two steps is healed by the sweep job.
import { Prisma } from "@prisma/client";
import pg from "pg";
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
 * How long a receipt waits for others to share its job insert. Each insert costs PostgreSQL about
 * 0.5 ms whatever its size (and wakes the workers through NOTIFY): at 500 deliveries/s a 5 ms window
 * made ~5 jobs per insert (bench/results-ingest.md), 20 ms makes ~10. The processing starts that
 * much later; the receipt is already stored and answered.
 */
const ENQUEUE_WINDOW_MS = 20;

/**
 * Enqueues in small batches: one pg-boss insert per ENQUEUE_WINDOW_MS instead of one per request.
 * The receipt row is already durable when we answer 200, so a batch lost to a crash is only late:
 * the sweep job finds its receipts still `received` and enqueues them again. That is also why the
 * job rows are committed asynchronously (synchronous_commit off, on a small pool of their own): they
 * need not wait for a WAL flush of their own, which would queue behind (and in front of) the
 * receipts' flushes; PostgreSQL's WAL writer flushes them within a fraction of a second anyway.
 */
class EnqueueBuffer {
  private pending: WebhookJob[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inflight = new Set<Promise<void>>();
  private pool: pg.Pool | null = null;
  constructor(
    private readonly services: Pick<Services, "boss" | "log">,
    private readonly connectionString: string | undefined,
  ) {}

  add(job: WebhookJob) {
    this.pending.push(job);
    if (this.pending.length >= 200) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), ENQUEUE_WINDOW_MS);
  }

  /** pg-boss's executor on the async-commit pool, or its own when no connection string is known. */
  private db(): { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> } | undefined {
    if (!this.connectionString) return undefined;
    if (!this.pool) {
      const pool = new pg.Pool({ connectionString: this.connectionString, max: 2, options: "-c synchronous_commit=off", application_name: "caderninho-enqueue" });
      pool.on("error", (err) => this.services.log.warn({ err: err.message }, "enqueue connection lost; reconnecting"));
      this.pool = pool;
    }
    const pool = this.pool;
    return { executeSql: (text, values) => pool.query(text, values) };
  }

  flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    const db = this.db();
    const p = this.services.boss
      .insert(
        QUEUES.webhookProcess,
        batch.map((data) => ({ data, singletonKey: `receipt:${data.storeId}:${data.receiptId}` })),
        db ? { db } : undefined,
      )
      .then(() => undefined)
      .catch((err: unknown) => this.services.log.error({ err, jobs: batch.length }, "enqueue failed; the sweep job will retry"))
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  async drain() {
    this.flush();
    await Promise.all(this.inflight);
    const pool = this.pool;
    this.pool = null;
    await pool?.end();
  }
}

const buffers = new WeakMap<object, EnqueueBuffer>();
function bufferFor(services: Pick<Services, "boss" | "log" | "db">): EnqueueBuffer {
  let b = buffers.get(services.boss);
  if (!b) {
    b = new EnqueueBuffer(services, poolOf(services.db).options.connectionString);
    buffers.set(services.boss, b);
  }
  return b;
}

/** Wait for enqueues still in the buffer, and close their connections (graceful shutdown, tests). */
export async function flushWebhookEnqueues(services: Pick<Services, "boss" | "log">): Promise<void> {
  await buffers.get(services.boss)?.drain();
}

/** Deliveries written together in one INSERT at most (a bound on statement size and on the wait of the first). */
const MAX_BATCH = 128;
/** Receipt INSERTs in flight at once: one writing while the next batch gathers, and one spare. */
const MAX_WRITERS = 2;

interface PendingReceipt {
  w: IncomingWebhook;
  resolve: (r: { duplicate: boolean }) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for receipts. At 500 deliveries/s one INSERT (and one WAL flush, with
 * synchronous_commit on) per delivery queues the deliveries behind each other's fsync; here the
 * deliveries that arrive while an INSERT is in flight wait for it and go together in the next one
 * (one statement, one flush), with no added delay when the writer is idle. Each request is still
 * answered only after the transaction holding its row has committed, so a 200 still means stored.
 */
class ReceiptWriter {
  private queue: PendingReceipt[] = [];
  private writers = 0;
  constructor(private readonly services: Pick<Services, "db" | "boss" | "log">) {}

  add(w: IncomingWebhook): Promise<{ duplicate: boolean }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ w, resolve, reject });
      this.pump();
    });
  }

  private pump() {
    while (this.writers < MAX_WRITERS && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.writers++;
      void this.write(batch).finally(() => {
        this.writers--;
        this.pump();
      });
    }
  }

  private async write(batch: PendingReceipt[]): Promise<void> {
    let inserted: Map<string, string>;
    try {
      inserted = await insertReceipts(this.services, batch.map((p) => p.w));
    } catch (e) {
      // One bad row fails the whole statement (say, a store deleted a moment ago): write the
      // deliveries one by one, so only that one fails and no other store's delivery is refused.
      if (batch.length > 1) await Promise.all(batch.map((p) => this.write([p])));
      else batch[0]!.reject(e);
      return;
    }
    const enqueue = bufferFor(this.services);
    for (const p of batch) {
      const key = receiptKey(p.w.storeId, p.w.dedupeKey);
      const id = inserted.get(key);
      // A key twice in one batch: the first delivery got the row, the others are duplicates.
      if (id === undefined) {
        p.resolve({ duplicate: true });
        continue;
      }
      inserted.delete(key);
      enqueue.add({ storeId: p.w.storeId, receiptId: id });
      p.resolve({ duplicate: false });
    }
  }
}

const receiptKey = (storeId: number, dedupeKey: string) => `${storeId}\u0000${dedupeKey}`;

/**
 * One multi-row INSERT, deduplicated on (storeId, dedupeKey); returns the ids of the rows it
 * created by key. Plain node-postgres, not Prisma: this runs on the web event loop. Statements of
 * up to 8 rows are named (prepared once per connection); larger ones are parsed each time.
 */
async function insertReceipts(services: Pick<Services, "db">, ws: IncomingWebhook[]): Promise<Map<string, string>> {
  const values: unknown[] = [];
  const tuples: string[] = [];
  for (const w of ws) {
    const n = values.length;
    tuples.push(`($${n + 1}::int, $${n + 2}::"Platform", $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}::timestamp(3), $${n + 7})`);
    values.push(w.storeId, w.platform, w.topic, w.dedupeKey, w.resourceId, w.triggeredAt, w.body);
  }
  const text = `INSERT INTO "WebhookReceipt" ("storeId", platform, topic, "dedupeKey", "resourceId", "triggeredAt", body)
    VALUES ${tuples.join(", ")}
    ON CONFLICT ("storeId", "dedupeKey") DO NOTHING
    RETURNING id, "storeId", "dedupeKey"`;
  const { rows } = await poolOf(services.db).query<{ id: string; storeId: number; dedupeKey: string }>({
    ...(ws.length <= 8 ? { name: `webhook-receipts-insert-${ws.length}` } : {}),
    text,
    values,
  });
  return new Map(rows.map((r) => [receiptKey(r.storeId, r.dedupeKey), r.id]));
}

const writers = new WeakMap<object, ReceiptWriter>();

/**
 * Store one delivery (deduplicated on its platform delivery id) and queue it for processing.
 * Resolves once its receipt row is committed; `duplicate` when that delivery was already stored.
 */
export function receiveWebhook(services: Pick<Services, "db" | "boss" | "log">, w: IncomingWebhook): Promise<{ duplicate: boolean }> {
  let writer = writers.get(services.db);
  if (!writer) {
    writer = new ReceiptWriter(services);
    writers.set(services.db, writer);
  }
  return writer.add(w);
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
