// Privacy deliveries, taken out of the ordinary webhook batch by app/jobs/webhook-process.server.ts:
// Shopify's compliance topics (customers/redact, customers/data_request, shop/redact), app/uninstalled,
// and WooCommerce's customer.deleted, which we treat as an erasure request: the merchant deleted
// the person's account, and keeping their personal data in the CRM afterwards would be keeping it
// without a purpose (their orders stay, anonymous, for the store's totals).
// Each receipt is handled in its own transaction together with marking it processed, and the raw
// body of erasure and data requests (it names the person) is blanked at the same time.
import { z } from "zod";
import type { WebhookReceipt } from "@prisma/client";
import type { NormalizedChange } from "#app/core/types.ts";
import type { Services } from "#app/server/services.server.ts";
import { customerIdByPlatformId, eraseCustomerInTx, type PrivacySource } from "#app/core/privacy/erase.server.ts";
import { buildCustomerExport } from "#app/core/privacy/data-export.server.ts";
import { erasedCustomerIds } from "#app/core/privacy/tombstone.server.ts";
import { QUEUES, type ShopDeletionJob } from "./queues.ts";

type Deps = Pick<Services, "db" | "log"> & Partial<Pick<Services, "boss">>;

/** Shopify sends shop/redact 48 hours after an uninstall; our own deletion runs then too, in case it never comes. */
export const SHOP_DELETION_DELAY_SECONDS = 48 * 3600;

export type PrivacyAction =
  | { kind: "erase"; source: PrivacySource; platformId: string | null; email: string | null; orders: string[] }
  | { kind: "data_request"; platformId: string | null; email: string | null }
  | { kind: "shop_redact" }
  | { kind: "uninstalled" };

const shopifyId = z.union([z.number(), z.string().min(1).max(64)]).transform(String);
const customerRef = z.object({ id: shopifyId.nullish(), email: z.string().max(320).nullish(), phone: z.string().max(64).nullish() }).nullish();
const redactSchema = z.object({ customer: customerRef, orders_to_redact: z.array(shopifyId).max(10_000).nullish() });
const dataRequestSchema = z.object({ customer: customerRef });

export class PrivacyPayloadError extends Error {}

function parse<T extends z.ZodType>(schema: T, payload: unknown, topic: string): z.infer<T> {
  const r = schema.safeParse(payload);
  if (!r.success) throw new PrivacyPayloadError(`${topic}: ${r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}`);
  return r.data;
}

/** The privacy meaning of a delivery, or null for ordinary ones. Throws PrivacyPayloadError on a bad payload. */
export function privacyActionOf(platform: string, topic: string, changes: NormalizedChange[]): PrivacyAction | null {
  if (platform === "woocommerce") {
    const del = changes.find((c) => c.kind === "customer.delete");
    return del && del.kind === "customer.delete" && topic.startsWith("customer.") ? { kind: "erase", source: "woocommerce", platformId: del.platformId, email: null, orders: [] } : null;
  }
  if (platform !== "shopify") return null;
  for (const c of changes) {
    if (c.kind === "app.uninstalled") return { kind: "uninstalled" };
    if (c.kind !== "compliance") continue;
    if (c.topic === "shop/redact") return { kind: "shop_redact" };
    if (c.topic === "customers/redact") {
      const p = parse(redactSchema, c.payload, c.topic);
      return { kind: "erase", source: "shopify", platformId: p.customer?.id ?? null, email: p.customer?.email?.trim().toLowerCase() || null, orders: p.orders_to_redact ?? [] };
    }
    if (c.topic === "customers/data_request") {
      const p = parse(dataRequestSchema, c.payload, c.topic);
      return { kind: "data_request", platformId: p.customer?.id ?? null, email: p.customer?.email?.trim().toLowerCase() || null };
    }
  }
  return null;
}

type Tx = Parameters<Parameters<Deps["db"]["$transaction"]>[0]>[0];

async function findCustomer(tx: Tx, storeId: number, platformId: string | null, email: string | null): Promise<number | null> {
  if (platformId) {
    const id = await customerIdByPlatformId(tx, storeId, platformId);
    if (id !== null) return id;
  }
  if (!email) return null;
  const byEmail = await tx.customer.findFirst({ where: { storeId, email }, select: { id: true }, orderBy: { id: "asc" } });
  return byEmail?.id ?? null;
}

async function markReceipt(tx: Tx, receipt: WebhookReceipt, blankBody: boolean): Promise<void> {
  await tx.webhookReceipt.update({
    where: { storeId_id: { storeId: receipt.storeId, id: receipt.id } },
    data: { status: "processed", processedAt: new Date(), error: null, attempts: { increment: 1 }, ...(blankBody ? { body: null } : {}) },
  });
}

/** Handle one privacy receipt. False when it failed (the caller retries it). */
export async function handlePrivacyReceipt(services: Deps, storeId: number, receipt: WebhookReceipt, action: PrivacyAction): Promise<boolean> {
  const { db, log } = services;
  const dedupeKey = `receipt:${receipt.dedupeKey}`;
  try {
    if (action.kind === "erase") {
      const outcome = await db.$transaction(
        async (tx) => {
          const customerId = await findCustomer(tx, storeId, action.platformId, action.email);
          const erased = customerId === null ? null : await eraseCustomerInTx(tx, storeId, customerId, `${action.source} ${receipt.topic}`, { source: action.source, dedupeKey, orderPlatformIds: action.orders });
          await markReceipt(tx, receipt, true);
          return erased;
        },
        { timeout: 120_000, maxWait: 30_000 },
      );
      log.info({ storeId, receiptId: receipt.id.toString(), topic: receipt.topic, customerId: outcome?.customerId ?? null, counts: outcome?.counts }, outcome ? "customer erased" : "erasure request for a customer we do not hold");
    } else if (action.kind === "data_request") {
      await db.$transaction(
        async (tx) => {
          const customerId = await findCustomer(tx, storeId, action.platformId, action.email);
          const data = customerId === null ? null : await buildCustomerExport(tx, storeId, customerId);
          await tx.privacyRequest.upsert({
            where: { storeId_dedupeKey: { storeId, dedupeKey } },
            update: {},
            create: {
              storeId,
              kind: "data_request",
              source: "shopify",
              dedupeKey,
              customerId,
              status: data ? "done" : "failed",
              export: data ?? undefined,
              error: data ? null : "no customer with this id or e-mail in caderninho",
              completedAt: new Date(),
            },
          });
          await markReceipt(tx, receipt, true);
        },
        { timeout: 120_000, maxWait: 30_000 },
      );
    } else if (action.kind === "shop_redact" || action.kind === "uninstalled") {
      if (!services.boss) throw new Error("privacy: the job queue is needed to schedule a store's deletion");
      // The job is queued before the receipt is marked processed: a crash in between re-runs the
      // receipt and queues a second job, which finds the work done (never a deletion lost).
      const now = new Date();
      const uninstalledAt = action.kind === "uninstalled" ? now : ((await db.store.findUnique({ where: { id: storeId }, select: { uninstalledAt: true } }))?.uninstalledAt ?? now);
      const job: ShopDeletionJob = { storeId, reason: action.kind === "shop_redact" ? "shop/redact" : "uninstalled", uninstalledAt: uninstalledAt.toISOString() };
      await services.boss.send(QUEUES.privacyShopDelete, job, action.kind === "uninstalled" ? { startAfter: SHOP_DELETION_DELAY_SECONDS } : {});
      await db.$transaction(async (tx) => {
        if (action.kind === "uninstalled") await tx.store.update({ where: { id: storeId }, data: { uninstalledAt: now } });
        await markReceipt(tx, receipt, false);
      });
      log.info({ storeId, reason: job.reason }, action.kind === "uninstalled" ? "store uninstalled; deletion scheduled" : "shop/redact: store deletion queued");
    }
    return true;
  } catch (e) {
    const permanent = e instanceof PrivacyPayloadError;
    await db.webhookReceipt.update({
      where: { storeId_id: { storeId, id: receipt.id } },
      data: { status: "failed", attempts: { increment: 1 }, error: (e instanceof Error ? e.message : String(e)).slice(0, 2000), ...(permanent ? { processedAt: new Date() } : {}) },
    });
    log.error({ err: e, storeId, receiptId: receipt.id.toString(), topic: receipt.topic }, permanent ? "unreadable privacy webhook" : "privacy webhook failed; will retry");
    return permanent;
  }
}

/** Customer platform ids a batch of changes mentions (for the late-webhook check below). */
function customerPids(changes: NormalizedChange[]): string[] {
  const out: string[] = [];
  for (const c of changes) {
    if (c.kind === "customer.upsert") out.push(c.customer.platformId);
    else if (c.kind === "order.upsert" && c.order.customer) out.push(c.order.customer.platformId);
    else if (c.kind === "checkout.upsert" && c.checkout.customer) out.push(c.checkout.customer.platformId);
  }
  return out;
}

/**
 * After a batch is applied: raw bodies of deliveries about erased customers (a late webhook) are
 * blanked — the rows were written without their personal fields, the raw copy must not keep them.
 */
export async function blankBodiesAboutErased(db: Deps["db"], storeId: number, items: { receipt: WebhookReceipt; changes: NormalizedChange[] }[]): Promise<number> {
  const pids = items.flatMap((i) => customerPids(i.changes));
  if (!pids.length) return 0;
  const erased = await erasedCustomerIds(db, storeId, pids);
  if (!erased.size) return 0;
  const ids = items.filter((i) => customerPids(i.changes).some((p) => erased.has(p))).map((i) => i.receipt.id);
  const r = await db.webhookReceipt.updateMany({ where: { storeId, id: { in: ids } }, data: { body: null } });
  return r.count;
}
