// The slow half of a webhook: read the stored receipt, let the platform adapter normalise it,
// apply it to the store's rows. Processing a receipt twice is harmless (the upserts converge),
// so a retry after a crash is safe; a payload that can never be read is marked failed, not retried.
import type { Job } from "pg-boss";
import { applyChange } from "#app/core/ingest/apply-change.server.ts";
import type { NormalizedChange } from "#app/core/types.ts";
import type { Services } from "#app/server/services.server.ts";
import { normalizeShopifyWebhook, ShopifyPayloadError } from "#adapters/shopify/normalize.ts";
import type { WebhookJob } from "./queues";

type Deps = Pick<Services, "db" | "log">;

export class PermanentPayloadError extends Error {}

export async function processReceipt(services: Deps, job: WebhookJob): Promise<"processed" | "skipped" | "failed"> {
  const { db } = services;
  const receipt = await db.webhookReceipt.findUnique({
    where: { storeId_id: { storeId: job.storeId, id: BigInt(job.receiptId) } },
    include: { store: { select: { currency: true } } },
  });
  if (!receipt || receipt.status === "processed" || receipt.status === "skipped") return "skipped";

  let change: NormalizedChange;
  try {
    const body: unknown = JSON.parse(receipt.body ?? "null");
    change = normalize(receipt.platform, receipt.topic, body, receipt.store.currency);
  } catch (e) {
    if (e instanceof SyntaxError || e instanceof ShopifyPayloadError || e instanceof PermanentPayloadError) {
      await db.webhookReceipt.update({
        where: { storeId_id: { storeId: receipt.storeId, id: receipt.id } },
        data: { status: "failed", error: e.message, attempts: { increment: 1 }, processedAt: new Date() },
      });
      services.log.warn({ storeId: receipt.storeId, receiptId: job.receiptId, topic: receipt.topic, reason: e.message }, "unreadable webhook payload");
      return "failed";
    }
    throw e;
  }

  try {
    const result = await applyChange(db, receipt.storeId, change);
    await db.webhookReceipt.update({
      where: { storeId_id: { storeId: receipt.storeId, id: receipt.id } },
      data: {
        status: change.kind === "ignored" ? "skipped" : "processed",
        processedAt: new Date(),
        attempts: { increment: 1 },
        // Compliance requests are recorded here and acted on by the privacy work.
        error: result.applied || change.kind === "ignored" || change.kind === "compliance" ? null : "older than stored data",
      },
    });
    return "processed";
  } catch (e) {
    await db.webhookReceipt.update({
      where: { storeId_id: { storeId: receipt.storeId, id: receipt.id } },
      data: { attempts: { increment: 1 }, error: e instanceof Error ? e.message.slice(0, 2000) : String(e) },
    });
    throw e;
  }
}

function normalize(platform: string, topic: string, body: unknown, currency: string): NormalizedChange {
  if (platform === "shopify") return normalizeShopifyWebhook(topic, body, { shopCurrency: currency });
  throw new PermanentPayloadError(`no normaliser for platform ${platform} yet`);
}

/** pg-boss batch handler: each job succeeds or fails on its own. */
export function webhookBatchHandler(services: Services) {
  return async (jobs: Job<WebhookJob>[]) => {
    const results = await Promise.allSettled(jobs.map((j) => processReceipt(services, j.data)));
    const failed = results.flatMap((r, i) => (r.status === "rejected" ? [{ job: jobs[i]!, error: r.reason as unknown }] : []));
    for (const f of failed) services.log.error({ err: f.error, jobId: f.job.id }, "webhook processing failed; will retry");
    if (failed.length) {
      // Fail only the jobs that failed; pg-boss completes the rest when we return.
      await services.boss.fail(
        jobs[0]!.name,
        failed.map((f) => f.job.id),
        { message: failed.map((f) => (f.error instanceof Error ? f.error.message : String(f.error))).join("; ").slice(0, 2000) },
      );
    }
  };
}
