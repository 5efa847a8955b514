// The slow half of a webhook: read the stored receipts, let the platform adapter normalise them,
// apply them to the store's rows. A batch of jobs is applied in one transaction per store (fast
// path); if that fails, each receipt is applied on its own so only the bad one fails and retries.
// Processing a receipt twice is harmless (the upserts converge), so a retry after a crash is safe;
// a payload that can never be read is marked failed, not retried.
import type { Job } from "pg-boss";
import type { WebhookReceipt } from "@prisma/client";
import { applyChanges } from "#app/core/ingest/apply-batch.server.ts";
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

/** Normalise receipts; unreadable ones are marked failed for good and left out. */
async function readReceipts(services: Deps, storeId: number, ids: bigint[]): Promise<Readable[]> {
  const { db, log } = services;
  const store = await db.store.findUnique({ where: { id: storeId }, select: { currency: true } });
  if (!store) return [];
  const receipts = await db.webhookReceipt.findMany({ where: { storeId, id: { in: ids }, status: { in: ["received", "failed"] } }, orderBy: { id: "asc" } });
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

async function markDone(services: Deps, storeId: number, items: Readable[]): Promise<void> {
  const { db } = services;
  const now = new Date();
  const isIgnored = (i: Readable) => i.changes.every((c) => c.kind === "ignored");
  const ignored = items.filter(isIgnored).map((i) => i.receipt.id);
  const processed = items.filter((i) => !isIgnored(i)).map((i) => i.receipt.id);
  if (processed.length) await db.webhookReceipt.updateMany({ where: { storeId, id: { in: processed } }, data: { status: "processed", processedAt: now, error: null, attempts: { increment: 1 } } });
  if (ignored.length) await db.webhookReceipt.updateMany({ where: { storeId, id: { in: ignored } }, data: { status: "skipped", processedAt: now, attempts: { increment: 1 } } });
}

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
  try {
    await applyChanges(services.db, storeId, items.flatMap((i) => i.changes));
    await markDone(services, storeId, items);
    await blankBodiesAboutErased(services.db, storeId, items);
    return failed;
  } catch (batchError) {
    services.log.warn({ err: batchError, storeId, receipts: items.length }, "batch failed; applying receipts one by one");
  }
  for (const item of items) {
    try {
      await applyChanges(services.db, storeId, item.changes);
      await markDone(services, storeId, [item]);
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

/** pg-boss batch handler: jobs of receipts that failed are failed (and retried); the rest complete. */
export function webhookBatchHandler(services: Services) {
  return async (jobs: Job<WebhookJob>[]) => {
    const byStore = new Map<number, Job<WebhookJob>[]>();
    for (const j of jobs) byStore.set(j.data.storeId, [...(byStore.get(j.data.storeId) ?? []), j]);
    const failedJobs: string[] = [];
    for (const [storeId, storeJobs] of byStore) {
      const failed = new Set((await processReceipts(services, storeId, storeJobs.map((j) => BigInt(j.data.receiptId)))).map(String));
      for (const j of storeJobs) if (failed.has(j.data.receiptId)) failedJobs.push(j.id);
      await requestSegmentsRefreshAfterWebhooks(services, storeId);
    }
    if (failedJobs.length) await services.boss.fail(jobs[0]!.name, failedJobs, { message: "webhook processing failed; see WebhookReceipt.error" });
  };
}
