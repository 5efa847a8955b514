// What the storefront tells the merchant: the shopper funnel seen by the web pixel (sessions →
// product views → add to cart → checkout → order) and what the "compre junto" block earned.
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { COUNTED_ORDER_SQL } from "./counted-orders.ts";

export interface StorefrontFunnel {
  /** Distinct pixel client ids that viewed a page: the pixel's notion of a visitor session. */
  sessions: number;
  productViews: number;
  addToCarts: number;
  checkoutsStarted: number;
  checkoutsCompleted: number;
  /** checkoutsCompleted / sessions (null without sessions). */
  conversionRate: number | null;
}

/**
 * Distinct pixel clients reaching each step since a date. A session here is a browser (the
 * pixel's clientId), not a 30-minute visit: good enough to compare periods, and what Shopify's
 * own "online store conversion rate" approximates too.
 */
export async function storefrontFunnel(db: Db, storeId: number, since: Date): Promise<StorefrontFunnel> {
  const [row] = await db.$queryRaw<Record<keyof Omit<StorefrontFunnel, "conversionRate">, number>[]>`
    SELECT
      count(DISTINCT e.data ->> 'clientId') FILTER (WHERE e.type = 'storefront.page_viewed')::int AS sessions,
      count(*) FILTER (WHERE e.type = 'storefront.product_viewed')::int AS "productViews",
      count(DISTINCT e.data ->> 'clientId') FILTER (WHERE e.type = 'storefront.product_added_to_cart')::int AS "addToCarts",
      count(DISTINCT e.data ->> 'clientId') FILTER (WHERE e.type = 'storefront.checkout_started')::int AS "checkoutsStarted",
      count(DISTINCT e.data ->> 'clientId') FILTER (WHERE e.type = 'storefront.checkout_completed')::int AS "checkoutsCompleted"
    FROM "Event" e
    WHERE e."storeId" = ${storeId} AND e.type LIKE 'storefront.%' AND e."occurredAt" >= ${since}`;
  const f = row ?? { sessions: 0, productViews: 0, addToCarts: 0, checkoutsStarted: 0, checkoutsCompleted: 0 };
  return { ...f, conversionRate: f.sessions > 0 ? f.checkoutsCompleted / f.sessions : null };
}

export interface CrossSellRevenue {
  /** Sum of order lines bought within the window after the same customer added them from the block. */
  influencedMinor: bigint;
  orders: number;
}

/**
 * Revenue influenced by the block: a counted order's line for a product the same (known) customer
 * added to the cart from "compre junto" in the `windowDays` before the order. Each line counts
 * once however many add-to-carts preceded it. Anonymous shoppers can't be followed to their order.
 */
export async function crossSellInfluencedRevenue(db: Db, storeId: number, since: Date, windowDays = 7): Promise<CrossSellRevenue> {
  const [row] = await db.$queryRaw<{ influenced: bigint | null; orders: number }[]>`
    SELECT sum(l."totalMinor")::bigint AS influenced, count(DISTINCT o.id)::int AS orders
    FROM "Order" o
    JOIN "OrderLine" l ON l."storeId" = o."storeId" AND l."orderId" = o.id
    WHERE o."storeId" = ${storeId} AND o."placedAt" >= ${since} AND o."customerId" IS NOT NULL
      AND ${Prisma.raw(COUNTED_ORDER_SQL)}
      AND EXISTS (
        SELECT 1 FROM "Event" e
        WHERE e."storeId" = o."storeId" AND e."customerId" = o."customerId" AND e.type = 'crosssell.add_to_cart'
          AND e."occurredAt" <= o."placedAt" AND e."occurredAt" > o."placedAt" - make_interval(days => ${windowDays})
          AND e.data -> 'productIds' ? l."productId")`;
  return { influencedMinor: row?.influenced ?? 0n, orders: row?.orders ?? 0 };
}
