// Privacy work on a generated store (BENCH_PRIVACY_CUSTOMERS customers, default 20,000; 3 orders,
// 3 raw webhook bodies and 3 storefront events each), each against a reference in the same run:
// (1) erasing one customer (one transaction; the raw-body scan dominates) vs one plain seq scan
//     of the store's kept bodies (the floor of any body search);
// (2) the tombstone check every ingest batch now makes (200 platform ids) vs the plain id lookup
//     the upsert itself makes;
// (3) the retention pass (batches of 5,000) vs the same work as one UPDATE/DELETE;
// (4) deleting the whole store in batches (shop/redact) vs one cascading DELETE of an identical store.
import { performance } from "node:perf_hooks";
import { Prisma } from "@prisma/client";
import { eraseCustomer } from "../app/core/privacy/erase.server.ts";
import { erasedCustomerIds } from "../app/core/privacy/tombstone.server.ts";
import { deleteStoreData } from "../app/core/privacy/store-deletion.server.ts";
import { runRetentionForStore } from "../app/jobs/retention.server.ts";
import type { Db } from "../app/db/client.server.ts";
import { fmt, latencySummary, ms, perSecond } from "./support/stats.ts";
import type { BenchContext, ResultRow } from "./support/types.ts";

const CUSTOMERS = Number(process.env.BENCH_PRIVACY_CUSTOMERS ?? 20_000);
const ERASURES = 20;

export const title = "Privacy: erasure, tombstone check, retention, store deletion";
export const description = `A generated store of ${fmt(CUSTOMERS)} customers (3 orders, 3 raw webhook bodies, 3 storefront events each).`;

async function generate(db: Db, name: string): Promise<number> {
  const storeId = (await db.store.create({ data: { platform: "shopify", domain: `${name}.myshopify.com`, name } })).id;
  await db.$executeRaw`INSERT INTO "Customer" ("storeId", "platformId", email, phone, "firstName", "lastName", "updatedAt")
    SELECT ${storeId}, g::text, 'cliente' || g || '@example.com', '+55119' || lpad(g::text, 8, '0'), 'Nome' || g, 'Sobrenome' || g, now() FROM generate_series(1, ${CUSTOMERS}) g`;
  await db.$executeRaw`INSERT INTO "Order" ("storeId", "platformId", "customerId", email, currency, "totalMinor", "financialStatus", "placedAt", "updatedAt")
    SELECT c."storeId", c."platformId" || '-' || k, c.id, c.email, 'BRL', 1000 * k, 'paid', now() - k * interval '30 days', now()
    FROM "Customer" c CROSS JOIN generate_series(1, 3) k WHERE c."storeId" = ${storeId}`;
  await db.$executeRaw`INSERT INTO "WebhookReceipt" ("storeId", platform, topic, "dedupeKey", "resourceId", body, status, "receivedAt")
    SELECT o."storeId", 'shopify', 'orders/updated', 'wh-' || o.id, o."platformId",
      json_build_object('id', o."platformId", 'email', o.email, 'total_price', '10.00', 'customer', json_build_object('id', c."platformId", 'email', c.email, 'first_name', c."firstName"),
        'line_items', json_build_array(json_build_object('title', 'Café especial', 'quantity', 1)))::text,
      'processed', now() - (o.id % 14) * interval '1 day'
    FROM "Order" o JOIN "Customer" c ON c."storeId" = o."storeId" AND c.id = o."customerId" WHERE o."storeId" = ${storeId}`;
  await db.$executeRaw`INSERT INTO "Event" ("storeId", "customerId", type, "occurredAt", data)
    SELECT c."storeId", c.id, 'storefront.page_viewed', now() - k * interval '4 days', '{"url": "/produtos/cafe"}'::jsonb
    FROM "Customer" c CROSS JOIN generate_series(1, 3) k WHERE c."storeId" = ${storeId}`;
  await db.$executeRawUnsafe(`ANALYZE "Customer", "Order", "WebhookReceipt", "Event"`);
  return storeId;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

export async function run(ctx: BenchContext): Promise<ResultRow[]> {
  const app = await ctx.startApp("privacy", { http: false, workers: false });
  const rows: ResultRow[] = [];
  try {
    const { db } = app.services;
    const [storeId, genMs] = await timed(() => generate(db, "bench-privacy"));
    ctx.log(`generated ${fmt(CUSTOMERS)} customers, ${fmt(CUSTOMERS * 3)} orders/bodies/events in ${fmt(genMs / 1000)} s`);

    // (1) erasure
    const erase: number[] = [];
    let wrong = 0;
    for (let i = 0; i < ERASURES; i++) {
      const id = 1 + Math.floor(((i * 7919) % CUSTOMERS));
      const [r, t] = await timed(() => eraseCustomer(app.services, storeId, id, "bench"));
      erase.push(t);
      if (!r || r.counts.webhookBodies !== 3) wrong++;
    }
    const scan: number[] = [];
    for (let i = 0; i < 5; i++) scan.push((await timed(() => db.$queryRaw`SELECT count(*) FROM "WebhookReceipt" WHERE "storeId" = ${storeId} AND body IS NOT NULL AND strpos(lower(body), 'nobody@example.com') > 0`))[1]);
    const e = latencySummary(erase);
    rows.push({
      metric: `erase one customer (${fmt(CUSTOMERS * 3)} kept bodies)`,
      measured: `p50 ${ms(e.p50)}, max ${ms(e.max)}`,
      reference: `one seq scan of the bodies: ${ms(latencySummary(scan).p50)}`,
      verdict: wrong ? "FAILED" : "info",
      note: wrong ? `${wrong} erasures did not blank exactly 3 bodies` : `${ERASURES} erasures, each one transaction`,
      value: e.p50,
    });

    // (2) tombstone check per ingest batch
    const ids = Array.from({ length: 200 }, (_, i) => String(1 + ((i * 97) % CUSTOMERS)));
    const check: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < 30; i++) {
      check.push((await timed(() => erasedCustomerIds(db, storeId, ids)))[1]);
      plain.push((await timed(() => db.$queryRaw(Prisma.sql`SELECT id, "platformId" FROM "Customer" WHERE "storeId" = ${storeId} AND "platformId" = ANY(${ids}::text[])`)))[1]);
    }
    rows.push({
      metric: "tombstone check per ingest batch (200 ids)",
      measured: `p50 ${ms(latencySummary(check).p50)}`,
      reference: `plain id lookup: ${ms(latencySummary(plain).p50)}`,
      verdict: "info",
      value: latencySummary(check).p50,
    });

    // (3) retention: half the bodies and events are older than 7 days
    const [ret, retMs] = await timed(() => runRetentionForStore(app.services, storeId));
    const ref = await generate(db, "bench-privacy-ref");
    const cutoff = new Date(Date.now() - 7 * 86_400_000);
    const [refRows, refMs] = await timed(async () => {
      const a = await db.$executeRaw`UPDATE "WebhookReceipt" SET body = NULL WHERE "storeId" = ${ref} AND body IS NOT NULL AND status <> 'received' AND "receivedAt" < ${cutoff}`;
      const b = await db.$executeRaw`DELETE FROM "Event" WHERE "storeId" = ${ref} AND type LIKE 'storefront.%' AND "occurredAt" < ${cutoff}`;
      return a + b;
    });
    const retRows = ret.bodiesBlanked + ret.eventsDeleted;
    rows.push({
      metric: "retention pass (batches of 5,000)",
      measured: `${perSecond((retRows / retMs) * 1000, "rows")} (${fmt(retRows)} rows, ${ms(retMs)})`,
      reference: `one statement each: ${perSecond((refRows / refMs) * 1000, "rows")}`,
      verdict: "info",
      value: (retRows / retMs) * 1000,
    });

    // (4) store deletion
    const [del, delMs] = await timed(() => deleteStoreData(db, storeId));
    const total = Object.values(del.rows).reduce((a, b) => a + b, 0);
    const [, cascadeMs] = await timed(async () => {
      await db.order.updateMany({ where: { storeId: ref }, data: { customerId: null } }); // NoAction FKs, as the app must
      await db.store.delete({ where: { id: ref } });
    });
    rows.push({
      metric: "delete a whole store (shop/redact, batches of 5,000)",
      measured: `${perSecond((total / delMs) * 1000, "rows")} (${fmt(total)} rows, ${fmt(delMs / 1000)} s)`,
      reference: `one cascading DELETE: ${fmt(cascadeMs / 1000)} s (one long transaction)`,
      verdict: (await db.store.count({ where: { id: { in: [storeId, ref] } } })) === 0 ? "info" : "FAILED",
      value: (total / delMs) * 1000,
    });
  } finally {
    await app.close();
  }
  return rows;
}
