// Daily retention: raw webhook bodies and storefront behaviour events (`storefront.*`) older than
// the store's setting (Store.settings.retentionDays, default 7) are blanked / deleted, in batches
// that each commit on their own.
//
// Receipts lose their body, not their row: the row's dedupe key is what makes a re-delivery a
// no-op. Shopify re-sends a failed delivery with the same X-Shopify-Webhook-Id for up to 48 hours,
// and WooCommerce's key (resource id + date_modified) only matters while the same version may be
// re-sent; so processed/skipped rows are kept RECEIPT_ROW_DAYS (30, well beyond both) and then
// deleted. Receipts still waiting (`received`) are never touched. Data-request exports are
// dropped after EXPORT_DAYS (the request stays listed, without its download).
import { Prisma } from "@prisma/client";
import type { Services } from "#app/server/services.server.ts";
import { retentionDaysOf } from "#app/core/privacy/settings.ts";

type Deps = Pick<Services, "db" | "log">;

export const RECEIPT_ROW_DAYS = 30;
/** A prepared data-request export (it holds everything about a person) is kept this long for the merchant to download. */
export const EXPORT_DAYS = 30;
const BATCH = 5000;
const DAY = 86_400_000;

export interface RetentionResult {
  stores: number;
  bodiesBlanked: number;
  receiptsDeleted: number;
  eventsDeleted: number;
  exportsExpired: number;
}

async function inBatches(run: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await run();
    total += n;
    if (n < BATCH) return total;
  }
}

export async function runRetentionForStore(services: Deps, storeId: number, now = new Date()): Promise<Omit<RetentionResult, "stores">> {
  const { db } = services;
  const store = await db.store.findUnique({ where: { id: storeId }, select: { settings: true } });
  if (!store) return { bodiesBlanked: 0, receiptsDeleted: 0, eventsDeleted: 0, exportsExpired: 0 };
  const cutoff = new Date(now.getTime() - retentionDaysOf(store.settings) * DAY);
  const rowCutoff = new Date(now.getTime() - Math.max(RECEIPT_ROW_DAYS, retentionDaysOf(store.settings)) * DAY);
  const bodiesBlanked = await inBatches(() =>
    db.$executeRaw(Prisma.sql`UPDATE "WebhookReceipt" SET body = NULL WHERE ctid = ANY(ARRAY(
      SELECT ctid FROM "WebhookReceipt" WHERE "storeId" = ${storeId} AND body IS NOT NULL AND status <> 'received' AND "receivedAt" < ${cutoff} LIMIT ${BATCH}))`),
  );
  const receiptsDeleted = await inBatches(() =>
    db.$executeRaw(Prisma.sql`DELETE FROM "WebhookReceipt" WHERE ctid = ANY(ARRAY(
      SELECT ctid FROM "WebhookReceipt" WHERE "storeId" = ${storeId} AND status IN ('processed', 'skipped') AND "receivedAt" < ${rowCutoff} LIMIT ${BATCH}))`),
  );
  const eventsDeleted = await inBatches(() =>
    db.$executeRaw(Prisma.sql`DELETE FROM "Event" WHERE ctid = ANY(ARRAY(
      SELECT ctid FROM "Event" WHERE "storeId" = ${storeId} AND type LIKE 'storefront.%' AND "occurredAt" < ${cutoff} LIMIT ${BATCH}))`),
  );
  const exportsExpired = await db.$executeRaw(
    Prisma.sql`UPDATE "PrivacyRequest" SET export = NULL WHERE "storeId" = ${storeId} AND kind = 'data_request' AND export IS NOT NULL AND "requestedAt" < ${new Date(now.getTime() - EXPORT_DAYS * DAY)}`,
  );
  return { bodiesBlanked, receiptsDeleted, eventsDeleted, exportsExpired };
}

/** Every store (installed or not: an uninstalled store's data waits for deletion, not forever). */
export async function runRetention(services: Deps, now = new Date()): Promise<RetentionResult> {
  const stores = await services.db.store.findMany({ select: { id: true }, orderBy: { id: "asc" } });
  const total: RetentionResult = { stores: stores.length, bodiesBlanked: 0, receiptsDeleted: 0, eventsDeleted: 0, exportsExpired: 0 };
  for (const { id } of stores) {
    const r = await runRetentionForStore(services, id, now);
    total.bodiesBlanked += r.bodiesBlanked;
    total.receiptsDeleted += r.receiptsDeleted;
    total.eventsDeleted += r.eventsDeleted;
    total.exportsExpired += r.exportsExpired;
  }
  services.log.info(total, "retention pass finished");
  return total;
}
