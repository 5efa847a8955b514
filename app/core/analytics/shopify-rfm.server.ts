// Shopify's own customer statistics (Customer.statistics.rfmGroup / predictedSpendTier), kept
// beside our scores, and where the two disagree. Ours is transparent and configurable; theirs is a
// black box, so the merchant sees both rather than one silently replacing the other.
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import type { RfmSegment } from "./segments.ts";

/**
 * Which of our segments mean the same as each Shopify RFM group. Shopify has no "potential
 * loyalist" or "lost" of its own; its ACTIVE and DORMANT groups span two of ours.
 */
export const SHOPIFY_GROUP_EQUIVALENTS: Readonly<Record<string, readonly RfmSegment[]>> = {
  CHAMPIONS: ["champions"],
  LOYAL: ["loyal"],
  ACTIVE: ["loyal", "potential_loyalist"],
  NEW: ["new"],
  PROMISING: ["promising"],
  NEEDS_ATTENTION: ["need_attention"],
  ALMOST_LOST: ["about_to_sleep"],
  AT_RISK: ["at_risk"],
  PREVIOUSLY_LOYAL: ["cant_lose"],
  DORMANT: ["hibernating", "lost"],
  PROSPECTS: [],
};

export interface ShopifyStatisticsRow {
  /** The customer's Shopify id (Customer.platformId). */
  platformId: string;
  rfmGroup: string | null;
  predictedSpendTier: string | null;
}

/** Store Shopify's statistics for customers read during sync (unknown customers are skipped). */
export async function recordShopifyStatistics(db: Pick<Db, "$executeRaw">, storeId: number, rows: ShopifyStatisticsRow[]): Promise<number> {
  if (!rows.length) return 0;
  return db.$executeRaw`
    INSERT INTO "CustomerStats" ("storeId", "customerId", "shopifyRfmGroup", "shopifyPredictedSpendTier", "updatedAt")
    SELECT c."storeId", c.id, s.grp, s.tier, now()
    FROM unnest(${rows.map((r) => r.platformId)}::text[], ${rows.map((r) => r.rfmGroup?.toUpperCase() ?? null)}::text[], ${rows.map((r) => r.predictedSpendTier?.toUpperCase() ?? null)}::text[]) AS s(pid, grp, tier)
    JOIN "Customer" c ON c."storeId" = ${storeId} AND c."platformId" = s.pid
    ON CONFLICT ("storeId", "customerId") DO UPDATE SET
      "shopifyRfmGroup" = EXCLUDED."shopifyRfmGroup", "shopifyPredictedSpendTier" = EXCLUDED."shopifyPredictedSpendTier", "updatedAt" = now()`;
}

export interface SegmentComparison {
  ours: RfmSegment | null;
  shopify: string | null;
  customers: number;
  /** Our segment is not one of the equivalents of Shopify's group. */
  disagree: boolean;
}

const equivalentPairs = () =>
  Prisma.join(
    Object.entries(SHOPIFY_GROUP_EQUIVALENTS).flatMap(([g, ours]) => ours.map((o) => Prisma.sql`(${g}::text, ${o}::text)`)),
  );

/** Our segment × Shopify's group, with counts, for customers that have at least one of the two. */
export async function compareWithShopify(db: Db, storeId: number): Promise<SegmentComparison[]> {
  return db.$queryRaw<SegmentComparison[]>`
    SELECT cs."rfmSegment" AS ours, cs."shopifyRfmGroup" AS shopify, count(*)::int AS customers,
           NOT EXISTS (SELECT 1 FROM (VALUES ${equivalentPairs()}) e(g, s) WHERE e.g = cs."shopifyRfmGroup" AND e.s = cs."rfmSegment") AS disagree
    FROM "CustomerStats" cs
    WHERE cs."storeId" = ${storeId} AND cs."rfmSegment" IS NOT NULL AND cs."shopifyRfmGroup" IS NOT NULL
    GROUP BY 1, 2, 4 ORDER BY 3 DESC`;
}

/** Customers whose segment disagrees with Shopify's group (page through with `afterCustomerId`). */
export async function shopifyDisagreements(db: Db, storeId: number, opts: { limit?: number; afterCustomerId?: number } = {}) {
  return db.$queryRaw<{ customerId: number; ours: RfmSegment; shopify: string; shopifyPredictedSpendTier: string | null }[]>`
    SELECT cs."customerId", cs."rfmSegment" AS ours, cs."shopifyRfmGroup" AS shopify, cs."shopifyPredictedSpendTier"
    FROM "CustomerStats" cs
    WHERE cs."storeId" = ${storeId} AND cs."rfmSegment" IS NOT NULL AND cs."shopifyRfmGroup" IS NOT NULL AND cs."customerId" > ${opts.afterCustomerId ?? 0}
      AND NOT EXISTS (SELECT 1 FROM (VALUES ${equivalentPairs()}) e(g, s) WHERE e.g = cs."shopifyRfmGroup" AND e.s = cs."rfmSegment")
    ORDER BY cs."customerId" LIMIT ${opts.limit ?? 100}`;
}
