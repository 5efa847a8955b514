// One comparable picture of a store's synced state, for fault tests: after a crash, a restart or a
// storm of retries, the store must hold exactly what a clean serial run of the same input holds.
// Everything is keyed by platform ids and platform data (never our row ids or our own timestamps),
// so two databases that received the same deliveries produce equal digests.
import { Prisma } from "@prisma/client";
import type { Db } from "../../app/db/client.server.ts";

export interface StateDigest {
  products: number;
  customers: number;
  orders: number;
  orderLines: number;
  /** Σ totalMinor of orders not cancelled (minor units, as a string so BigInt compares in toEqual). */
  revenueMinor: string;
  refundedMinor: string;
  cancelledOrders: number;
  guestOrders: number;
  checkouts: number;
  abandonedCheckouts: number;
  /** CustomerStats rows and their totals. */
  stats: { rows: number; ordersCount: number; revenueMinor: string; refundedMinor: string; purchaseDays: number };
  /** Payments by status: count and Σ amount. */
  paymentsByStatus: Record<string, { count: number; amountMinor: string }>;
  /** md5 over every customer's / order's platform data, ordered by platform id: equal content, not just equal counts. */
  customersHash: string;
  ordersHash: string;
  statsHash: string;
}

export async function stateDigest(db: Db, storeId: number): Promise<StateDigest> {
  const [counts] = await db.$queryRaw<
    {
      products: number;
      customers: number;
      orders: number;
      orderLines: number;
      revenueMinor: bigint;
      refundedMinor: bigint;
      cancelledOrders: number;
      guestOrders: number;
      checkouts: number;
      abandonedCheckouts: number;
    }[]
  >(Prisma.sql`
    SELECT
      (SELECT count(*)::int FROM "Product" WHERE "storeId" = ${storeId}) AS products,
      (SELECT count(*)::int FROM "Customer" WHERE "storeId" = ${storeId}) AS customers,
      (SELECT count(*)::int FROM "Order" WHERE "storeId" = ${storeId}) AS orders,
      (SELECT count(*)::int FROM "OrderLine" WHERE "storeId" = ${storeId}) AS "orderLines",
      (SELECT coalesce(sum("totalMinor") FILTER (WHERE "cancelledAt" IS NULL), 0)::bigint FROM "Order" WHERE "storeId" = ${storeId}) AS "revenueMinor",
      (SELECT coalesce(sum("refundedMinor"), 0)::bigint FROM "Order" WHERE "storeId" = ${storeId}) AS "refundedMinor",
      (SELECT count(*)::int FROM "Order" WHERE "storeId" = ${storeId} AND "cancelledAt" IS NOT NULL) AS "cancelledOrders",
      (SELECT count(*)::int FROM "Order" WHERE "storeId" = ${storeId} AND "customerId" IS NULL) AS "guestOrders",
      (SELECT count(*)::int FROM "Checkout" WHERE "storeId" = ${storeId}) AS checkouts,
      (SELECT count(*)::int FROM "Checkout" WHERE "storeId" = ${storeId} AND "completedAt" IS NULL) AS "abandonedCheckouts"`);
  const [stats] = await db.$queryRaw<{ rows: number; ordersCount: number; revenueMinor: bigint; refundedMinor: bigint; purchaseDays: number }[]>(Prisma.sql`
    SELECT count(*)::int AS rows, coalesce(sum("ordersCount"), 0)::int AS "ordersCount",
           coalesce(sum("revenueMinor"), 0)::bigint AS "revenueMinor", coalesce(sum("refundedMinor"), 0)::bigint AS "refundedMinor",
           coalesce(sum("purchaseDays"), 0)::int AS "purchaseDays"
    FROM "CustomerStats" WHERE "storeId" = ${storeId}`);
  const payments = await db.$queryRaw<{ status: string; count: number; amountMinor: bigint }[]>(Prisma.sql`
    SELECT status::text AS status, count(*)::int AS count, coalesce(sum("amountMinor"), 0)::bigint AS "amountMinor"
    FROM "Payment" WHERE "storeId" = ${storeId} GROUP BY status ORDER BY status`);
  const [hashes] = await db.$queryRaw<{ customersHash: string; ordersHash: string; statsHash: string }[]>(Prisma.sql`
    SELECT
      (SELECT md5(coalesce(string_agg(concat_ws('|', "platformId", email, phone, "firstName", "lastName", city, province, country,
              "acceptsEmailMarketing", array_to_string(tags, ','), "platformUpdatedAt", "erasedAt"), E'\n' ORDER BY "platformId"), ''))
       FROM "Customer" WHERE "storeId" = ${storeId}) AS "customersHash",
      (SELECT md5(coalesce(string_agg(concat_ws('|', o."platformId", c."platformId", o."totalMinor", o."refundedMinor", o."financialStatus",
              o."paymentMethod", o.channel, o."cancelledAt", o."deletedAt", o."platformUpdatedAt",
              (SELECT count(*) FROM "OrderLine" l WHERE l."storeId" = o."storeId" AND l."orderId" = o.id)), E'\n' ORDER BY o."platformId"), ''))
       FROM "Order" o LEFT JOIN "Customer" c ON c."storeId" = o."storeId" AND c.id = o."customerId" WHERE o."storeId" = ${storeId}) AS "ordersHash",
      (SELECT md5(coalesce(string_agg(concat_ws('|', c."platformId", s."ordersCount", s."revenueMinor", s."refundedMinor", s."firstOrderAt",
              s."lastOrderAt", s."purchaseDays"), E'\n' ORDER BY c."platformId"), ''))
       FROM "CustomerStats" s JOIN "Customer" c ON c."storeId" = s."storeId" AND c.id = s."customerId" WHERE s."storeId" = ${storeId}) AS "statsHash"`);
  const c = counts!;
  const s = stats!;
  return {
    products: c.products,
    customers: c.customers,
    orders: c.orders,
    orderLines: c.orderLines,
    revenueMinor: c.revenueMinor.toString(),
    refundedMinor: c.refundedMinor.toString(),
    cancelledOrders: c.cancelledOrders,
    guestOrders: c.guestOrders,
    checkouts: c.checkouts,
    abandonedCheckouts: c.abandonedCheckouts,
    stats: { rows: s.rows, ordersCount: s.ordersCount, revenueMinor: s.revenueMinor.toString(), refundedMinor: s.refundedMinor.toString(), purchaseDays: s.purchaseDays },
    paymentsByStatus: Object.fromEntries(payments.map((p) => [p.status, { count: p.count, amountMinor: p.amountMinor.toString() }])),
    customersHash: hashes!.customersHash,
    ordersHash: hashes!.ordersHash,
    statsHash: hashes!.statsHash,
  };
}

export interface ReceiptAudit {
  /** Receipts by status. */
  byStatus: Record<string, number>;
  /** Delivery ids stored more than once (must be empty: the dedupe key is unique). */
  duplicateDeliveries: number;
  /** Receipts processed (or skipped) but never counted as attempted, or attempted more than once. */
  attemptsAboveOne: number;
}

/** How a store's webhook receipts ended: every one processed, none twice. */
export async function receiptAudit(db: Db, storeId: number): Promise<ReceiptAudit> {
  const rows = await db.$queryRaw<{ status: string; count: number }[]>(Prisma.sql`
    SELECT status::text AS status, count(*)::int AS count FROM "WebhookReceipt" WHERE "storeId" = ${storeId} GROUP BY status ORDER BY status`);
  const [dup] = await db.$queryRaw<{ duplicateDeliveries: number; attemptsAboveOne: number }[]>(Prisma.sql`
    SELECT (SELECT count(*)::int FROM (SELECT "dedupeKey" FROM "WebhookReceipt" WHERE "storeId" = ${storeId} GROUP BY "dedupeKey" HAVING count(*) > 1) d) AS "duplicateDeliveries",
           (SELECT count(*)::int FROM "WebhookReceipt" WHERE "storeId" = ${storeId} AND attempts > 1) AS "attemptsAboveOne"`);
  return { byStatus: Object.fromEntries(rows.map((r) => [r.status, r.count])), duplicateDeliveries: dup!.duplicateDeliveries, attemptsAboveOne: dup!.attemptsAboveOne };
}
