// Clusters for a whole store: fit k-means on an even sample of customers with orders (clusters.ts),
// then assign every customer to the nearest centroid in one SQL UPDATE, using the same features
// (log1p of recency days, orders, net revenue, average ticket; standardised) as clusters.ts.
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { localDate } from "#app/core/ingest/customer-stats.server.ts";
import { fitClusters, type ClusterModel, type ClusterOptions } from "./clusters.ts";

export interface ClusterResult {
  model: ClusterModel | null;
  /** Customers whose cluster changed. */
  changed: number;
  skipped: string | null;
}

const SAMPLE = 20_000;

/** Feature columns as SQL over CustomerStats, in clusters.ts `features()` order (negatives clamped to 0). */
function featureSql(asOf: Date, tz: string): Prisma.Sql[] {
  const today = Prisma.sql`((${asOf.toISOString()}::timestamptz AT TIME ZONE ${tz}::text)::date)`;
  return [
    Prisma.sql`ln(1 + greatest(0, ${today} - ${localDate(Prisma.sql`"lastOrderAt"`, Prisma.sql`${tz}::text`)}))`,
    Prisma.sql`ln(1 + "ordersCount")`,
    Prisma.sql`ln(1 + greatest(0, "revenueMinor"))`,
    Prisma.sql`ln(1 + greatest(0, "avgOrderMinor"))`,
  ];
}

export async function rescoreClusters(db: Db, storeId: number, opts: ClusterOptions = {}, asOf = new Date()): Promise<ClusterResult> {
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { timezone: true } });
  const tz = store.timezone;
  const sample = await db.$queryRaw<{ recencyDays: number; orders: number; revenue: number; avgOrder: number }[]>`
    WITH c AS (
      SELECT "customerId", "lastOrderAt", "ordersCount", "revenueMinor", "avgOrderMinor", row_number() OVER (ORDER BY "customerId") AS rn, count(*) OVER () AS n
      FROM "CustomerStats" WHERE "storeId" = ${storeId} AND "ordersCount" > 0)
    SELECT greatest(0, ((${asOf.toISOString()}::timestamptz AT TIME ZONE ${tz}::text)::date) - ${localDate(Prisma.sql`"lastOrderAt"`, Prisma.sql`${tz}::text`)}) AS "recencyDays",
           "ordersCount" AS orders, greatest(0, "revenueMinor")::float8 AS revenue, greatest(0, "avgOrderMinor")::float8 AS "avgOrder"
    FROM c WHERE (rn - 1) % greatest(1, ceil(n::numeric / ${SAMPLE}))::int = 0`;
  let model: ClusterModel;
  try {
    model = fitClusters(sample, { ...opts, sampleSize: SAMPLE });
  } catch (e) {
    await db.$executeRaw`UPDATE "CustomerStats" SET cluster = NULL WHERE "storeId" = ${storeId} AND cluster IS NOT NULL`;
    return { model: null, changed: 0, skipped: `clusters not fitted: ${e instanceof Error ? e.message : String(e)}` };
  }
  const z = featureSql(asOf, tz).map((f, i) => Prisma.sql`((${f}) - ${model.mean[i]!}::float8) / ${model.sd[i]!}::float8`);
  const centroids = Prisma.join(model.centroids.map((c, k) => Prisma.sql`(${k}::int, ${Prisma.join(c.map((v) => Prisma.sql`${v}::float8`))})`));
  const distance = Prisma.join([0, 1, 2, 3].map((i) => Prisma.sql`(z.z${Prisma.raw(String(i))} - k.c${Prisma.raw(String(i))}) ^ 2`), " + ");
  const changed = await db.$executeRaw`
    UPDATE "CustomerStats" cs SET cluster = a.k FROM (
      SELECT DISTINCT ON (z.id) z.id, k.k
      FROM (SELECT "customerId" AS id, ${Prisma.join(z.map((e, i) => Prisma.sql`${e} AS z${Prisma.raw(String(i))}`))}
            FROM "CustomerStats" WHERE "storeId" = ${storeId} AND "ordersCount" > 0) z
      CROSS JOIN (VALUES ${centroids}) AS k(k, c0, c1, c2, c3)
      ORDER BY z.id, ${distance}, k.k) a
    WHERE cs."storeId" = ${storeId} AND cs."customerId" = a.id AND cs.cluster IS DISTINCT FROM a.k`;
  await db.$executeRaw`UPDATE "CustomerStats" SET cluster = NULL WHERE "storeId" = ${storeId} AND "ordersCount" = 0 AND cluster IS NOT NULL`;
  return { model, changed, skipped: null };
}

export interface ClusterSummary {
  cluster: number;
  customers: number;
  revenueMinor: bigint;
}

/** Customers and net revenue per cluster, from the latest assignment. */
export async function clusterSummary(db: Db, storeId: number): Promise<ClusterSummary[]> {
  return db.$queryRaw<ClusterSummary[]>`
    SELECT cluster, count(*)::int AS customers, sum("revenueMinor")::bigint AS "revenueMinor"
    FROM "CustomerStats" WHERE "storeId" = ${storeId} AND cluster IS NOT NULL GROUP BY 1 ORDER BY 1`;
}
