// The slow half of a webhook: read the stored receipts, let the platform adapter normalise them,
// apply them to the store's rows. A batch of jobs is applied in one transaction per store (fast
// path), the receipts marked processed in the same commit; if that fails, each receipt is applied
// on its own so only the bad one fails and retries. Processing a receipt twice is harmless (the
// upserts converge), so a retry after a crash is safe; a payload that can never be read is marked
// failed, not retried.
//
// One store's batches run one at a time in a process (StoreBatches): concurrent batches of one
// store touch the same customers (a customer's create, order, payment and update deliveries arrive
// close together), and in the load bench 2 of 3 concurrent batch transactions sat waiting on
// another's Customer row lock (Lock:transactionid) while it held its locks across a dozen round
// trips. Batches of one store that arrive while one runs are merged into the next transaction.
import type { Job } from "pg-boss";
import type { WebhookReceipt } from "@prisma/client";
import { applyChanges, applyChangesInTx, applyUpsertsInRawTx, onlyUpserts } from "#app/core/ingest/apply-batch.server.ts";
import { rawQueries, rawTransaction, type RawTx } from "#app/db/raw-tx.server.ts";
import type { NormalizedChange } from "#app/core/types.ts";
import type { Services } from "#app/server/services.server.ts";
import { normalizeShopifyWebhook, ShopifyPayloadError } from "#adapters/shopify/normalize.ts";
import { normalizeWooWebhook, WooPayloadError } from "#adapters/woocommerce/normalize.ts";
import type { WebhookJob } from "./queues.ts";
import { requestSegmentsRefreshAfterWebhooks } from "./segments-refresh.server.ts";
import { blankBodiesAboutErased, handlePrivacyReceipt, PrivacyPayloadError, privacyActionOf } from "./privacy-webhooks.server.ts";

type Deps = Pick<Services, "db" | "log"> & Partial<Pick<Services, "boss">>;

export class PermanentPayloadError extends Error {}

/** One delivery can mean several changes (a WooCommerce order is an order and a checkout). */
function normalize(platform: string, topic: string, body: unknown, currency: string): NormalizedChange[] {
  if (platform === "shopify") return [normalizeShopifyWebhook(topic, body, { shopCurrency: currency })];
  if (platform === "woocommerce") return normalizeWooWebhook(topic, body, { storeCurrency: currency });
  throw new PermanentPayloadError(`no normaliser for platform ${platform} yet`);
}

type Readable = { receipt: WebhookReceipt; changes: NormalizedChange[] };

/**
 * The receipts still to process, on node-postgres rather than Prisma (rawQueries: the same value
 * mapping): a merged batch holds hundreds of ids, and Prisma's query compiler and row mapping cost
 * more CPU than the query (worker child profile at 500/s).
 */
function loadReceipts(db: Deps["db"], storeId: number, ids: bigint[]): Promise<WebhookReceipt[]> {
  return rawQueries(db).$queryRaw<WebhookReceipt[]>`
    SELECT * FROM "WebhookReceipt"
    WHERE "storeId" = ${storeId} AND id = ANY(${ids}::bigint[]) AND status IN ('received', 'failed')
    ORDER BY id`;
}

/** Normalise receipts; unreadable ones are marked failed for good and left out. */
async function readReceipts(services: Deps, storeId: number, ids: bigint[]): Promise<Readable[]> {
  const { db, log } = services;
  const store = await db.store.findUnique({ where: { id: storeId }, select: { currency: true } });
  if (!store) return [];
  const receipts = await loadReceipts(db, storeId, ids);
  const readable: Readable[] = [];
  for (const receipt of receipts) {
    try {
      readable.push({ receipt, changes: normalize(receipt.platform, receipt.topic, JSON.parse(receipt.body ?? "null"), store.currency) });
    } catch (e) {
      if (!(e instanceof SyntaxError || e instanceof ShopifyPayloadError || e instanceof WooPayloadError || e instanceof PermanentPayloadError)) throw e;
      await db.webhookReceipt.update({
        where: { storeId_id: { storeId, id: receipt.id } },
        data: { status: "failed", error: e.message, attempts: { increment: 1 }, processedAt: new Date() },
      });
      log.warn({ storeId, receiptId: receipt.id.toString(), topic: receipt.topic, reason: e.message }, "unreadable webhook payload");
    }
  }
  return readable;
}

/** Mark applied receipts `processed` (or `skipped` when every change was ignored), in one statement. */
async function markDone(db: Pick<RawTx, "$executeRaw">, storeId: number, items: Readable[]): Promise<void> {
  if (!items.length) return;
  const ids = items.map((i) => i.receipt.id.toString());
  const skipped = items.map((i) => i.changes.every((c) => c.kind === "ignored"));
  await db.$executeRaw`
    UPDATE "WebhookReceipt" w
    SET status = CASE WHEN u.skipped THEN 'skipped' ELSE 'processed' END::"ReceiptStatus",
        "processedAt" = (clock_timestamp() AT TIME ZONE 'UTC')::timestamp(3),
        error = CASE WHEN u.skipped THEN w.error END,
        attempts = w.attempts + 1
    FROM unnest(${ids}::bigint[], ${skipped}::boolean[]) AS u(id, skipped)
    WHERE w."storeId" = ${storeId} AND w.id = u.id`;
}

const BATCH_TX = { timeout: 60_000, maxWait: 30_000 };

/** Privacy deliveries (erasure, data request, shop/redact, uninstall) are handled one by one, apart. */
async function takePrivacyReceipts(services: Deps, storeId: number, all: Readable[]): Promise<{ items: Readable[]; failed: bigint[] }> {
  const items: Readable[] = [];
  const failed: bigint[] = [];
  for (const item of all) {
    let action;
    try {
      action = privacyActionOf(item.receipt.platform, item.receipt.topic, item.changes);
    } catch (e) {
      if (!(e instanceof PrivacyPayloadError)) throw e;
      action = null;
      await services.db.webhookReceipt.update({ where: { storeId_id: { storeId, id: item.receipt.id } }, data: { status: "failed", error: e.message, attempts: { increment: 1 }, processedAt: new Date() } });
      services.log.warn({ storeId, receiptId: item.receipt.id.toString(), reason: e.message }, "unreadable privacy webhook");
      continue;
    }
    if (!action) items.push(item);
    else if (!(await handlePrivacyReceipt(services, storeId, item.receipt, action))) failed.push(item.receipt.id);
  }
  return { items, failed };
}

/** Process the receipts of one store. Returns the receipt ids whose processing failed (to retry). */
export async function processReceipts(services: Deps, storeId: number, ids: bigint[]): Promise<bigint[]> {
  const { items, failed } = await takePrivacyReceipts(services, storeId, await readReceipts(services, storeId, ids));
  if (!items.length) return failed;
  const changes = items.flatMap((i) => i.changes);
  // The whole batch in one transaction: the changes, then the receipts marked done.
  const applyAll = async (tx: RawTx, apply: () => Promise<unknown>) => {
    // This commit need not wait for its own WAL flush: if PostgreSQL crashed before the WAL
    // writer flushed it (a fraction of a second), the receipts would be back to `received` with
    // their changes undone together, and the job, not yet completed (its completion is a later
    // synchronous commit, which flushes this one too), runs again. The web process's receipt
    // commits then stop queuing behind the worker's flushes for WALWrite.
    await tx.$executeRaw`SET LOCAL synchronous_commit = off`;
    // StoreBatches serialises one store's batches inside a process; this does it across worker
    // processes (npm run worker on other machines): a waiting batch holds no row lock yet.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('webhook-batch'), ${storeId}::int)`;
    await apply();
    await markDone(tx, storeId, items);
  };
  try {
    // Upserts only (nearly every batch): on node-postgres, without Prisma's per-statement compile
    // (app/db/raw-tx.server.ts); deletions and uninstalls need Prisma's model API.
    if (onlyUpserts(changes)) await rawTransaction(services.db, (tx) => applyAll(tx, () => applyUpsertsInRawTx(tx, storeId, changes)), { timeoutMs: BATCH_TX.timeout });
    else await services.db.$transaction((tx) => applyAll(tx, () => applyChangesInTx(tx, storeId, changes)), BATCH_TX);
    await blankBodiesAboutErased(services.db, storeId, items);
    return failed;
  } catch (batchError) {
    services.log.warn({ err: batchError, storeId, receipts: items.length }, "batch failed; applying receipts one by one");
  }
  for (const item of items) {
    try {
      await applyChanges(services.db, storeId, item.changes);
      await markDone(services.db, storeId, [item]);
      await blankBodiesAboutErased(services.db, storeId, [item]);
    } catch (e) {
      failed.push(item.receipt.id);
      await services.db.webhookReceipt.update({
        where: { storeId_id: { storeId, id: item.receipt.id } },
        data: { status: "failed", attempts: { increment: 1 }, error: e instanceof Error ? e.message.slice(0, 2000) : String(e) },
      });
      services.log.error({ err: e, storeId, receiptId: item.receipt.id.toString(), topic: item.receipt.topic }, "webhook processing failed; will retry");
    }
  }
  return failed;
}

/** Receipts of one store applied in one transaction at most (merged batches stay well inside the 60 s transaction timeout). */
export const MAX_MERGED_RECEIPTS = 1000;

interface Group {
  ids: bigint[];
  result: Promise<Set<string>>;
}

/**
 * One batch per store at a time in this process. A batch that arrives while its store's batch runs
 * joins the group waiting to run next (up to MAX_MERGED_RECEIPTS receipts), so the pg-boss workers
 * that fetched it wait without holding a transaction or any row lock, and the next transaction
 * carries all of them (fewer commits and round trips per delivery). Different stores still run
 * side by side. Resolves with the ids (as strings) of the receipts whose processing failed.
 */
export class StoreBatches {
  private stores = new Map<number, { tail: Promise<unknown>; open: Group | null }>();
  constructor(private readonly run: (storeId: number, ids: bigint[]) => Promise<bigint[]>) {}

  process(storeId: number, ids: bigint[]): Promise<Set<string>> {
    let s = this.stores.get(storeId);
    if (!s) {
      s = { tail: Promise.resolve(), open: null };
      this.stores.set(storeId, s);
    }
    const open = s.open;
    if (open && open.ids.length + ids.length <= MAX_MERGED_RECEIPTS) {
      open.ids.push(...ids);
      return open.result;
    }
    const state = s;
    const group: Group = { ids: [...ids], result: Promise.resolve(new Set()) };
    group.result = state.tail.then(async () => {
      if (state.open === group) state.open = null;
      return new Set((await this.run(storeId, group.ids)).map(String));
    });
    const tail = group.result.then(
      () => undefined,
      () => undefined,
    );
    state.tail = tail;
    state.open = group;
    // Forget an idle store (nothing running or waiting after this group).
    void tail.then(() => {
      if (state.tail === tail && !state.open && this.stores.get(storeId) === state) this.stores.delete(storeId);
    });
    return group.result;
  }
}

/** pg-boss batch handler: jobs of receipts that failed are failed (and retried); the rest complete. */
export function webhookBatchHandler(services: Services) {
  // One (debounced) segments refresh request per merged group, not per fetched batch.
  const batches = new StoreBatches(async (storeId, ids) => {
    const failed = await processReceipts(services, storeId, ids);
    await requestSegmentsRefreshAfterWebhooks(services, storeId);
    return failed;
  });
  return async (jobs: Job<WebhookJob>[]) => {
    const byStore = new Map<number, Job<WebhookJob>[]>();
    for (const j of jobs) byStore.set(j.data.storeId, [...(byStore.get(j.data.storeId) ?? []), j]);
    const failedJobs: string[] = [];
    await Promise.all(
      [...byStore].map(async ([storeId, storeJobs]) => {
        const failed = await batches.process(storeId, storeJobs.map((j) => BigInt(j.data.receiptId)));
        for (const j of storeJobs) if (failed.has(j.data.receiptId)) failedJobs.push(j.id);
      }),
    );
    if (failedJobs.length) await services.boss.fail(jobs[0]!.name, failedJobs, { message: "webhook processing failed; see WebhookReceipt.error" });
  };
}
