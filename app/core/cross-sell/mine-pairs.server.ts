// Co-purchase mining for one store, in SQL on one connection: baskets → product counts → pair
// counts → association rules (both directions) → top pairs per product, then swapped in with one
// transaction (DELETE + INSERT: readers see the old rules until COMMIT, never a half-built set).
//
// Full rebuild, not incremental: ProductPair keeps only each product's best pairs, so the counts an
// increment would add to are not stored, and the recency weights move with the clock anyway. The
// rebuild is one pass over the store's order lines (bench/crosssell.bench.ts measures 1M orders).
//
// Availability (out of stock, draft/archived, deleted products) is applied when serving, not here:
// stock changes every hour, mining runs nightly, and a product back in stock gets its pairs back at
// once. That is why more pairs than the block shows are kept per product.
import type pg from "pg";
import { poolOf, type Db } from "#app/db/client.server.ts";
import { COUNTED_ORDER_SQL } from "./counted-orders.ts";
import { DEFAULT_MINING_PARAMS, type MiningParams } from "./mining-params.ts";

export interface MiningResult {
  baskets: number;
  products: number;
  pairs: number;
  ms: number;
}

/** Prisma's DateTime columns are UTC without a zone: a JS instant must be converted, not cast. */
const utc = (n: number) => `($${n}::timestamptz AT TIME ZONE 'UTC')`;

export async function minePairs(db: Db, storeId: number, opts: { params?: Partial<MiningParams>; now?: Date } = {}): Promise<MiningResult> {
  const p = { ...DEFAULT_MINING_PARAMS, ...opts.params };
  const now = opts.now ?? new Date();
  const t0 = performance.now();
  const client = await poolOf(db).connect();
  try {
    await client.query("BEGIN");
    // Big sorts and hashes stay in memory for a store-sized job (this transaction only).
    await client.query("SET LOCAL work_mem = '256MB'");
    const stats = await buildTempTables(client, storeId, p, now);
    await client.query(`DELETE FROM "ProductPair" WHERE "storeId" = $1`, [storeId]);
    await client.query(`DELETE FROM "ProductPopularity" WHERE "storeId" = $1`, [storeId]);
    const pairs = await client.query(
      `INSERT INTO "ProductPair" ("storeId", "productId", "pairedId", "pairCount", support, confidence, lift, score, "updatedAt")
       SELECT $1, a, b, n, support, confidence, lift, score, ${utc(2)} FROM cs_rule WHERE rank <= $3`,
      [storeId, now.toISOString(), p.topPerProduct],
    );
    await client.query(
      `INSERT INTO "ProductPopularity" ("storeId", "productId", orders, weight, "updatedAt") SELECT $1, p, n, w, ${utc(2)} FROM cs_item`,
      [storeId, now.toISOString()],
    );
    await client.query(`UPDATE "Store" SET "crossSellMinedAt" = ${utc(2)} WHERE id = $1`, [storeId, now.toISOString()]);
    await client.query("COMMIT");
    return { ...stats, pairs: pairs.rowCount ?? 0, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

async function buildTempTables(client: pg.PoolClient, storeId: number, p: MiningParams, now: Date): Promise<Omit<MiningResult, "pairs" | "ms">> {
  // Baskets: (order, product, weight), one row per distinct product of a counted order, without
  // oversized orders. Products get dense integer ids so the self-join hashes ints, not text.
  const weight = p.halfLifeDays === null ? "1::float8" : `power(0.5, extract(epoch FROM (${utc(2)} - o."placedAt")) / 86400.0 / $3::float8)`;
  const args: unknown[] = p.halfLifeDays === null ? [storeId, p.maxBasketSize] : [storeId, now.toISOString(), p.halfLifeDays, p.maxBasketSize];
  const maxArg = `$${args.length}::int`;
  await client.query(
    `CREATE TEMP TABLE cs_line ON COMMIT DROP AS
     SELECT o, p, w FROM (
       SELECT o, p, w, count(*) OVER (PARTITION BY o) AS k FROM (
         SELECT DISTINCT l."orderId" AS o, l."productId" AS p, ${weight} AS w
         FROM "OrderLine" l JOIN "Order" o ON o."storeId" = l."storeId" AND o.id = l."orderId"
         WHERE l."storeId" = $1 AND l."productId" IS NOT NULL AND ${COUNTED_ORDER_SQL}
       ) d
     ) sized WHERE k <= ${maxArg}`,
    args,
  );
  await client.query(
    `CREATE TEMP TABLE cs_item ON COMMIT DROP AS
     SELECT p, (row_number() OVER ())::int AS i, count(*)::int AS n, sum(w) AS w FROM cs_line GROUP BY p`,
  );
  await client.query(`CREATE TEMP TABLE cs_basket ON COMMIT DROP AS SELECT l.o, i.i, l.w FROM cs_line l JOIN cs_item i USING (p)`);
  await client.query("ANALYZE cs_basket");
  await client.query("ANALYZE cs_item");
  const totals = await client.query<{ baskets: number; weight: number | null; products: number }>(
    `SELECT count(*)::int AS baskets, sum(w) AS weight, (SELECT count(*)::int FROM cs_item) AS products
     FROM (SELECT o, min(w) AS w FROM cs_basket GROUP BY o) b`,
  );
  const { baskets, weight: totalWeight, products } = totals.rows[0]!;
  // Pairs counted once (a < b), rules emitted in both directions, ranked per antecedent.
  await client.query(
    `CREATE TEMP TABLE cs_rule ON COMMIT DROP AS
     WITH pair AS (
       SELECT x.i AS ia, y.i AS ib, count(*)::int AS n, sum(x.w) AS w
       FROM cs_basket x JOIN cs_basket y ON y.o = x.o AND y.i > x.i
       GROUP BY x.i, y.i HAVING count(*) >= $1::int AND sum(x.w) >= $2::float8 * $3::float8
     ), rule AS (
       SELECT ia AS a, ib AS b, n, w FROM pair UNION ALL SELECT ib, ia, n, w FROM pair
     ), measured AS (
       SELECT ia.p AS a, ib.p AS b, r.n, r.w / $3::float8 AS support, r.w / ia.w AS confidence,
              (r.w / ia.w) / (ib.w / $3::float8) AS lift, r.w AS pw, ia.w AS aw
       FROM rule r JOIN cs_item ia ON ia.i = r.a JOIN cs_item ib ON ib.i = r.b
     ), scored AS (
       SELECT a, b, n, support, confidence, lift,
              pw / (aw + $4::float8) * ln(1 + least(lift, $5::float8)) / ln(2) AS score
       FROM measured
     )
     SELECT *, row_number() OVER (PARTITION BY a ORDER BY score DESC, b) AS rank FROM scored`,
    [p.minPairCount, p.minSupport, totalWeight ?? 1, p.confidenceShrink, p.liftCap],
  );
  return { baskets, products };
}
