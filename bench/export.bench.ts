// Customer CSV export: BENCH_EXPORT_CUSTOMERS generated customers (default 200,000, with stats)
// streamed through customerCsvStream (keyset pages of 1,000, csv-stringify, pt-BR format), timing
// the whole read and sampling the heap, against a reference in the same run: PostgreSQL writing a
// CSV of the same rows itself (COPY … TO STDOUT WITH CSV through pg-copy-streams), the floor any
// export through Node can reach.
import { performance } from "node:perf_hooks";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { customerCsvStream } from "../app/core/export/customers-csv.server.ts";
import { fmt, ms } from "./support/stats.ts";
import { phaseTable } from "./support/probe.ts";
import type { BenchContext, ResultRow } from "./support/types.ts";

const CUSTOMERS = Number(process.env.BENCH_EXPORT_CUSTOMERS ?? 200_000);

export const title = "Customer CSV export";
export const description = `Streaming ${fmt(CUSTOMERS)} customers to CSV (keyset pages) vs PostgreSQL's own COPY … CSV of the same rows.`;

export async function run(ctx: BenchContext): Promise<ResultRow[]> {
  const app = await ctx.startApp("export", { http: false, workers: false });
  const rows: ResultRow[] = [];
  try {
    const { db } = app.services;
    const storeId = (await db.store.create({ data: { platform: "woocommerce", domain: "bench-export.example", name: "Bench" } })).id;
    const t0 = performance.now();
    await db.$executeRaw`
      INSERT INTO "Customer" ("storeId", "platformId", email, phone, "firstName", "lastName", city, province, country, "acceptsEmailMarketing", tags, "updatedAt")
      SELECT ${storeId}, g::text, 'cliente' || g || '@example.com', '+55119' || lpad(g::text, 8, '0'), 'Nome; ' || g, 'Sobrenome "' || g || '"',
             'São Paulo', 'SP', 'BR', g % 2 = 0, ARRAY['vip', 'b2b'], now()
      FROM generate_series(1, ${CUSTOMERS}) g`;
    await db.$executeRaw`
      INSERT INTO "CustomerStats" ("storeId", "customerId", "ordersCount", "revenueMinor", "avgOrderMinor", "rfmSegment", "churnRisk", "predictedClvMinor", "updatedAt")
      SELECT "storeId", id, 1 + id % 7, 1000 + id * 37, 1000 + id % 500, 'loyal', (id % 100) / 100.0, id * 3, now() FROM "Customer" WHERE "storeId" = ${storeId}`;
    await db.$executeRaw`ANALYZE "Customer"`;
    await db.$executeRaw`ANALYZE "CustomerStats"`;
    ctx.log(`generated ${fmt(CUSTOMERS)} customers in ${fmt((performance.now() - t0) / 1000)} s`);

    // Reference: PostgreSQL writes the CSV itself.
    const client = new pg.Client({ connectionString: app.databaseUrl });
    await client.connect();
    let refBytes = 0;
    const r0 = performance.now();
    try {
      const stream = client.query(
        copyTo(`COPY (SELECT c.id, c."platformId", c."firstName", c."lastName", c.email, c.phone, c.city, c.province, c.country, c."acceptsEmailMarketing",
                 s."ordersCount", s."revenueMinor", s."avgOrderMinor", s."rfmSegment", s."churnRisk", s."predictedClvMinor", c.tags
               FROM "Customer" c LEFT JOIN "CustomerStats" s ON s."storeId" = c."storeId" AND s."customerId" = c.id
               WHERE c."storeId" = ${storeId} AND c."erasedAt" IS NULL ORDER BY c.id) TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';')`),
      );
      for await (const chunk of stream) refBytes += (chunk as Buffer).length;
    } finally {
      await client.end();
    }
    const refMs = performance.now() - r0;

    global.gc?.();
    const heapBase = process.memoryUsage().heapUsed;
    let heapPeak = heapBase;
    const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 20);
    const probe = ctx.probe(app, "export");
    const e0 = performance.now();
    let bytes = 0;
    let lines = 0;
    try {
      const reader = customerCsvStream(db, { storeId, currency: "BRL" }, "pt-BR").getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        for (let i = 0; i < value.length; i++) if (value[i] === 0x0a) lines++;
      }
    } finally {
      clearInterval(sampler);
    }
    const exportMs = performance.now() - e0;
    ctx.detail(`Where the time went (export):\n\n${phaseTable([await probe.stop()])}`);
    const rate = CUSTOMERS / (exportMs / 1000);
    rows.push({
      metric: `CSV export of ${fmt(CUSTOMERS)} customers (33 columns, pt-BR)`,
      measured: `${ms(exportMs)} (${fmt(Math.round(rate))} customers/s, ${fmt(Math.round(bytes / 1024 / 1024))} MiB)`,
      reference: `PostgreSQL COPY … CSV (17 columns): ${ms(refMs)} (${fmt(Math.round(refBytes / 1024 / 1024))} MiB)`,
      verdict: lines === CUSTOMERS + 1 ? "info" : "FAILED",
      // Garbage not yet collected counts here too; that memory stays bounded is shown by
      // test/integration/export-customers.test.ts (at most one page read ahead of the reader).
      note: `heap peak ${fmt(Math.round((heapPeak - heapBase) / 1024 / 1024))} MiB above the start (incl. uncollected garbage) while streaming ${fmt(Math.round(bytes / 1024 / 1024))} MiB`,
      value: exportMs,
    });
  } finally {
    await app.close();
  }
  return rows;
}
