// Shopify's own customer statistics (Customer.statistics.rfmGroup / predictedSpendTier), kept
// beside our scores, and where the two disagree. Ours is transparent and configurable; theirs is a
// black box, so the merchant sees both rather than one silently replacing the other.
import { Prisma } from "@prisma/client";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { poolOf, type Db } from "#app/db/client.server.ts";
import { copyEscape } from "#app/core/ingest/copy-text.server.ts";
import { retryOnConflict } from "#app/db/pg-errors.server.ts";
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

const upper = (v: string | null) => v?.toUpperCase() ?? null;

/** What a customer's row gets (a row is created with zeros for the rest; a row that already says this is left alone). */
const UPSERT = `ON CONFLICT ("storeId", "customerId") DO UPDATE SET
      "shopifyRfmGroup" = EXCLUDED."shopifyRfmGroup", "shopifyPredictedSpendTier" = EXCLUDED."shopifyPredictedSpendTier", "updatedAt" = now()
    WHERE ("CustomerStats"."shopifyRfmGroup", "CustomerStats"."shopifyPredictedSpendTier") IS DISTINCT FROM (EXCLUDED."shopifyRfmGroup", EXCLUDED."shopifyPredictedSpendTier")`;

/**
 * Shopify's statistics of a whole customers file, written in one statement at the end (a backfill
 * or a reconciliation; loadBulkResult). Rows are queued as their customers' chunks commit, by COPY
 * into a table private to one pooled connection, and then joined with the store's customers once:
 * one hash join and one insert in customer id order, instead of a statement per chunk that read
 * every customer of the store to find its 10,000 (a Prisma $executeRaw whose 3 × 10,000-element
 * arrays also went through its engine's JSON). Measured at 200k orders / 79,000 customers: see
 * bench/backfill.bench.ts ("customers phase: Shopify's statistics"). The last row queued for a
 * customer wins. Statistics of chunks committed before a failure are not written: the backfill is
 * re-run anyway (memory stays flat: only the rows of uncommitted chunks are held, by the caller).
 */
export interface ShopifyStatisticsStage {
  /** Queue the statistics of customers already committed. */
  add(rows: readonly ShopifyStatisticsRow[]): Promise<void>;
  /** Write every queued row (customers not in the store are skipped); the rows written. */
  finish(): Promise<number>;
  /**
   * Every row queued so far, for the set-based stats rebuild to write with the order stats in
   * the same rows (setBasedStatsSql's shopifyStatistics), as array literals in customer id order,
   * the last row of a customer winning, customers not in the store skipped. Nothing is written;
   * read-only, so it can run while other work does.
   */
  peek(): Promise<ShopifyStatisticsArrays>;
  /** The rows a peek returned are written (by the rebuild): finish() writes none of them. */
  taken(peeked: ShopifyStatisticsArrays): Promise<void>;
  /** Give the connection back (also after an error). */
  close(): Promise<void>;
}

/** One id range's statistics as PostgreSQL array literals, in customer id order ($3, $4, $5 of setBasedStatsSql). */
export interface ShopifyStatisticsArrays {
  ids: string;
  groups: string;
  tiers: string;
  /** The rows it holds: those queued before this number. */
  upto: number;
}

const STAGE = "shopify_statistics_stage";

export async function openShopifyStatisticsStage(db: Db, storeId: number, opts: { attempts?: number } = {}): Promise<ShopifyStatisticsStage> {
  const attempts = opts.attempts ?? 5;
  const client = await poolOf(db).connect();
  // Held between statements for a whole phase: a connection PostgreSQL closes meanwhile (restart,
  // failover) must not crash the process; the next statement fails instead.
  const ignore = () => undefined;
  client.on("error", ignore);
  let seq = 0;
  let closed = false;
  try {
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${STAGE} (seq int NOT NULL, pid text NOT NULL, grp text, tier text)`);
    await client.query(`TRUNCATE ${STAGE}`);
  } catch (e) {
    client.off("error", ignore);
    client.release(true);
    throw e;
  }
  const field = (v: string | null) => (v === null ? "\\N" : copyEscape(v));
  return {
    async add(rows) {
      if (closed) throw new Error("Shopify statistics stage is closed");
      if (!rows.length) return;
      const text = rows.map((r) => `${seq++}\t${copyEscape(r.platformId)}\t${field(upper(r.rfmGroup))}\t${field(upper(r.predictedSpendTier))}\n`).join("");
      await pipeline(Readable.from([text]), client.query(copyFrom(`COPY ${STAGE} (seq, pid, grp, tier) FROM STDIN`)));
    },
    async finish() {
      if (closed) throw new Error("Shopify statistics stage is closed");
      if (seq === 0) return 0;
      // A webhook refreshing some of the same customers in another order: retried.
      const { rowCount } = await retryOnConflict(
        () =>
          client.query(
            `INSERT INTO "CustomerStats" ("storeId", "customerId", "shopifyRfmGroup", "shopifyPredictedSpendTier", "updatedAt")
             SELECT DISTINCT ON (c.id) c."storeId", c.id, s.grp, s.tier, now()
             FROM ${STAGE} s JOIN "Customer" c ON c."storeId" = $1 AND c."platformId" = s.pid
             ORDER BY c.id, s.seq DESC
             ${UPSERT}`,
            [storeId],
          ),
        attempts,
      );
      await client.query(`TRUNCATE ${STAGE}`);
      seq = 0;
      return rowCount ?? 0;
    },
    async peek() {
      if (closed) throw new Error("Shopify statistics stage is closed");
      const upto = seq;
      const { rows } = await client.query<Omit<ShopifyStatisticsArrays, "upto">>(
        `SELECT coalesce(array_agg(id ORDER BY id), '{}')::text AS ids, coalesce(array_agg(grp ORDER BY id), '{}')::text AS groups,
           coalesce(array_agg(tier ORDER BY id), '{}')::text AS tiers
         FROM (SELECT DISTINCT ON (c.id) c.id, s.grp, s.tier
               FROM ${STAGE} s JOIN "Customer" c ON c."storeId" = $1 AND c."platformId" = s.pid
               WHERE s.seq < $2 ORDER BY c.id, s.seq DESC) t`,
        [storeId, upto],
      );
      return { ...rows[0]!, upto };
    },
    async taken(peeked) {
      if (closed) throw new Error("Shopify statistics stage is closed");
      if (peeked.upto === seq) {
        await client.query(`TRUNCATE ${STAGE}`);
        seq = 0;
      } else await client.query(`DELETE FROM ${STAGE} WHERE seq < $1`, [peeked.upto]);
    },
    async close() {
      if (closed) return;
      closed = true;
      // The table would outlive this use on the pooled connection: dropped, or the connection with it.
      await client.query(`DROP TABLE IF EXISTS ${STAGE}`).then(
        () => {
          client.off("error", ignore);
          client.release();
        },
        (e: Error) => {
          client.off("error", ignore);
          client.release(e);
        },
      );
    },
  };
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
