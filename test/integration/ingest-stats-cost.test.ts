// The per-order customer stats refresh (run in every webhook batch for the customers it touched)
// must cost per refreshed customer, not per order of the store. It once let the planner pick the
// partial "Order_segment_counted_idx" (storeId, id) on the statistics of a store that was still
// small when last analysed, and read every counted order of the store for each customer: ~1,000
// buffers per customer at 6k orders, growing with the store (42 % of PostgreSQL's time in the load
// bench). Measured here in buffers (EXPLAIN ANALYZE, BUFFERS), not time: a small and a 6× larger
// store, both analysed while still empty, refreshing the same number of customers.
import type { Prisma } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStoreSimulator } from "../../adapters/shopify/simulator/index.ts";
import { normalizeShopifyWebhook } from "../../adapters/shopify/normalize.ts";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";
import { refreshCustomerStats } from "../../app/core/ingest/customer-stats.server.ts";
import { poolOf } from "../../app/db/client.server.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-db.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

async function storeWith(domain: string, customers: number): Promise<number> {
  const storeId = (await t.db.store.create({ data: { platform: "shopify", domain, name: domain, currency: "BRL", timezone: "America/Sao_Paulo" } })).id;
  const deliveries = [...createStoreSimulator({ seed: 7, customers, currency: "BRL", shopDomain: domain }).deliveries()];
  for (let i = 0; i < deliveries.length; i += 500) {
    await applyChanges(t.db, storeId, deliveries.slice(i, i + 500).map((d) => normalizeShopifyWebhook(d.topic, d.body, { shopCurrency: "BRL" })));
  }
  return storeId;
}

/** Shared buffers the refresh of `n` of the store's customers with orders touches, and their orders. */
async function refreshBuffers(storeId: number, n: number): Promise<{ buffers: number; orders: number }> {
  const pool = poolOf(t.db);
  const ids = (await pool.query<{ id: number }>(`SELECT DISTINCT "customerId" AS id FROM "Order" WHERE "storeId" = $1 AND "customerId" IS NOT NULL ORDER BY 1 LIMIT $2`, [storeId, n])).rows.map((r) => r.id);
  expect(ids).toHaveLength(n);
  const [{ orders }] = (await pool.query<{ orders: number }>(`SELECT count(*)::int AS orders FROM "Order" WHERE "storeId" = $1 AND "customerId" = ANY($2::int[])`, [storeId, ids])).rows as [{ orders: number }];
  // The statement the refresh sends, captured instead of run, then explained in a rolled-back transaction.
  let statement: Prisma.Sql | null = null;
  const capture = { $executeRaw: (sql: Prisma.Sql) => ((statement = sql), Promise.resolve(0)) } as unknown as Prisma.TransactionClient;
  await refreshCustomerStats(capture, storeId, ids);
  const sql = statement as Prisma.Sql | null;
  if (!sql) throw new Error("refreshCustomerStats sent no statement");
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
    const { rows } = await c.query<{ "QUERY PLAN": [{ Plan: { "Shared Hit Blocks": number; "Shared Read Blocks": number } }] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql.text}`, sql.values);
    const plan = rows[0]!["QUERY PLAN"][0].Plan;
    return { buffers: plan["Shared Hit Blocks"] + plan["Shared Read Blocks"], orders };
  } finally {
    await c.query("ROLLBACK");
    c.release();
  }
}

describe("customer stats refresh cost", () => {
  it("depends on the customers refreshed, not on the size of the store", async () => {
    // Statistics taken while the stores are empty, as for a store that just installed and grows.
    await poolOf(t.db).query(`ANALYZE "Order"; ANALYZE "OrderLine"; ANALYZE "Customer"`);
    const small = await storeWith("stats-cost-small.myshopify.com", 300);
    const large = await storeWith("stats-cost-large.myshopify.com", 1800);
    const storeOrders = async (id: number) => t.db.order.count({ where: { storeId: id } });
    expect(await storeOrders(large)).toBeGreaterThan(5 * (await storeOrders(small)));

    const a = await refreshBuffers(small, 60);
    const b = await refreshBuffers(large, 60);
    // Per order of the refreshed customers: a few index pages for the orders, their lines, the
    // stats row and its indexes. Reading the store's orders for each customer costs hundreds.
    const perOrder = (r: { buffers: number; orders: number }) => r.buffers / r.orders;
    expect(perOrder(a), `small store: ${a.buffers} buffers for ${a.orders} orders`).toBeLessThan(60);
    expect(perOrder(b), `large store: ${b.buffers} buffers for ${b.orders} orders`).toBeLessThan(60);
    expect(perOrder(b) / perOrder(a), `buffers per order, large ${perOrder(b).toFixed(1)} vs small ${perOrder(a).toFixed(1)}`).toBeLessThan(2);
  });
});
