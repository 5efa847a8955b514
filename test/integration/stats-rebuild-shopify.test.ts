// A backfill's Shopify statistics (customers phase) handed to the orders phase's set-based stats
// rebuild instead of being written as rows the rebuild rewrites at once (runShopifyBackfill keeps
// one ShopifyStatisticsStage across its phases): every CustomerStats row ends up exactly as when
// each phase writes its own (customers without orders included), each written once, a re-run
// rewrites nothing, and a load that keeps the per-customer refresh leaves the statistics to the
// stage's owner. The rebuild's rows are new then: written without the per-row foreign-key
// triggers, with the store and the customers locked as those triggers would lock them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import pg from "pg";
import { createGraphqlStore, type GraphqlBulkRoot } from "../../adapters/shopify/simulator/render-graphql.ts";
import { openShopifyStatisticsStage, type ShopifyStatisticsStage } from "../../app/core/analytics/shopify-rfm.server.ts";
import { setBasedStatsSql } from "../../app/core/sync/stats-rebuild.server.ts";
import { poolOf } from "../../app/db/client.server.ts";
import { loadBulkResult } from "../../app/jobs/shopify-backfill.server.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

let services: TestServices;
const graphqlStore = createGraphqlStore({ seed: 17, customers: 150, shopDomain: "stats-shopify.myshopify.com" });
const jsonlOf = (root: GraphqlBulkRoot) => [...graphqlStore.bulkLines(root)].map((line) => JSON.stringify(line)).join("\n") + "\n";
const files = { products: jsonlOf("products"), customers: jsonlOf("customers"), orders: jsonlOf("orders") };

beforeAll(async () => {
  services = await startTestServices();
});
afterAll(async () => services?.cleanup());

async function newStore(name: string): Promise<number> {
  return (await services.db.store.create({ data: { platform: "shopify", domain: `${name}.myshopify.com`, name, currency: "BRL", timezone: "America/Sao_Paulo" } })).id;
}

/** Every CustomerStats row of the store by the customer's platform id, with its physical version. */
async function stats(storeId: number): Promise<{ p: string; row: Record<string, unknown>; version: string }[]> {
  return services.db.$queryRaw(Prisma.sql`
    SELECT c."platformId" AS p, to_jsonb(s) - 'storeId' - 'customerId' - 'updatedAt' AS row, s.xmin::text AS version
    FROM "CustomerStats" s JOIN "Customer" c ON c."storeId" = s."storeId" AND c.id = s."customerId"
    WHERE s."storeId" = ${storeId} ORDER BY 1`);
}
const values = (rows: Awaited<ReturnType<typeof stats>>) => rows.map(({ p, row }) => ({ p, row }));

/**
 * The backfill's three phases; `stage`: one stage across them, as runShopifyBackfill keeps it,
 * which also passes the root count Shopify reports (the rebuild's statistics are then gathered
 * before the last chunks: the reference path gathers them after).
 */
async function backfill(storeId: number, opts: { stage?: ShopifyStatisticsStage; setBasedStatsFrom?: number }) {
  const loaded = [];
  for (const root of ["products", "customers", "orders"] as const) {
    const expectedObjects = opts.stage ? files[root].split("\n").filter((line) => line !== "" && !line.includes('"__parentId"')).length : undefined;
    loaded.push(await loadBulkResult(services, storeId, Readable(files[root]), { shopCurrency: "BRL", chunkSize: 53, statistics: opts.stage, setBasedStatsFrom: opts.setBasedStatsFrom, expectedObjects }));
  }
  return loaded;
}
function Readable(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({ start: (c) => (c.enqueue(bytes), c.close()) });
}

describe("set-based stats rebuild with Shopify's statistics", () => {
  it("writes the same rows as each phase writing its own, once each, and a re-run rewrites nothing", async () => {
    // Reference: the customers phase writes Shopify's statistics, the orders phase's rebuild rewrites those rows.
    const reference = await newStore("stats-shopify-reference");
    await backfill(reference, { setBasedStatsFrom: 1 });
    const expected = await stats(reference);
    const customers = await services.db.customer.count({ where: { storeId: reference } });
    expect(expected.length).toBe(customers);
    expect(expected.filter((r) => r.row.shopifyRfmGroup !== null).length).toBeGreaterThan(customers / 2);
    expect(expected.filter((r) => r.row.ordersCount === 0).length).toBeGreaterThan(0); // customers without counted orders

    const storeId = await newStore("stats-shopify-handed");
    const stage = await openShopifyStatisticsStage(services.db, storeId);
    try {
      const [, customersPhase, ordersPhase] = await backfill(storeId, { stage, setBasedStatsFrom: 1 });
      expect(customersPhase!.shopifyStatistics).toBe(0); // left to the stage's owner
      expect(ordersPhase!.statsRefreshed).toBeGreaterThan(0);
      // The customers phase wrote no row; the rebuild took every queued statistic.
      expect(await stage.finish()).toBe(0);
    } finally {
      await stage.close();
    }
    const handed = await stats(storeId);
    expect(values(handed)).toEqual(values(expected));
    // Each row written once: one transaction per rebuild range, so at most two row versions in all.
    expect(new Set(handed.map((r) => r.version)).size).toBeLessThanOrEqual(2);

    // A re-run (resync) over the same history: every row already right, none rewritten.
    const again = await openShopifyStatisticsStage(services.db, storeId);
    try {
      await backfill(storeId, { stage: again, setBasedStatsFrom: 1 });
      expect(await again.finish()).toBe(0);
    } finally {
      await again.close();
    }
    expect(await stats(storeId)).toEqual(handed);
  });

  it("leaves the statistics queued for the stage's owner when the load refreshes per customer", async () => {
    const reference = await newStore("stats-shopify-per-customer-reference");
    await backfill(reference, {});
    const storeId = await newStore("stats-shopify-per-customer");
    const stage = await openShopifyStatisticsStage(services.db, storeId);
    try {
      await backfill(storeId, { stage });
      expect(await services.db.customerStats.count({ where: { storeId, shopifyRfmGroup: { not: null } } })).toBe(0);
      expect(await stage.finish()).toBeGreaterThan(0);
    } finally {
      await stage.close();
    }
    expect(values(await stats(storeId))).toEqual(values(await stats(reference)));
  });

  it("locks the store and the customers it writes rows for when it skips the foreign-key triggers", async () => {
    const storeId = await newStore("stats-shopify-locks");
    await backfill(storeId, {});
    const [first] = await services.db.$queryRaw<{ id: number }[]>`SELECT id FROM "Customer" WHERE "storeId" = ${storeId} ORDER BY id LIMIT 1`;
    const customerId = first!.id;
    await services.db.customerStats.deleteMany({ where: { storeId } });
    const conn = await poolOf(services.db).connect();
    const other = new pg.Client({ connectionString: services.databaseUrl });
    await other.connect();
    try {
      await conn.query("BEGIN");
      await conn.query("SET LOCAL session_replication_role = replica");
      // A plain insert (rows believed new), the customer's statistics from the arrays, no orders named.
      await conn.query(setBasedStatsSql({ shopifyStatistics: true, lockReferenced: true, plain: true }), [storeId, [], `{${customerId}}`, "{CHAMPIONS}", "{HIGH}", 0, 2 ** 31 - 1]);
      // While the rebuild's transaction is open, the customer cannot be deleted (nor the store).
      await other.query("SET lock_timeout = '200ms'");
      await expect(other.query(`DELETE FROM "Customer" WHERE "storeId" = $1 AND id = $2`, [storeId, customerId])).rejects.toMatchObject({ code: "55P03" });
      await expect(other.query(`DELETE FROM "Store" WHERE id = $1`, [storeId])).rejects.toMatchObject({ code: "55P03" });
      await conn.query("COMMIT");
    } finally {
      await conn.query("ROLLBACK").catch(() => undefined);
      conn.release();
      await other.end();
    }
    const rows = await services.db.customerStats.findMany({ where: { storeId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ customerId, shopifyRfmGroup: "CHAMPIONS", shopifyPredictedSpendTier: "HIGH" });
  });
});
