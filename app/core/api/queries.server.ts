// What the API reads, always scoped by the token's store. Lists are keyset-paginated by id: a page
// is "id > cursor ORDER BY id LIMIT n", so pages stay stable while customers are added or changed.
import { Prisma, type SegmentKind } from "@prisma/client";
import type { z } from "zod";
import type { Db } from "#app/db/client.server.ts";
import { checkoutConversion, historicalLtv, orderMetrics, recoveredRevenue, revenueBySegment, spendHistogram } from "#app/core/analytics/metrics.server.ts";
import { currencyDigits } from "#app/core/money.ts";
import type { CustomerExportRow } from "#app/core/export/customer-csv.ts";
import type { customerListQuery, customerSchema, memberListQuery, segmentSchema, statsQuery, statsSchema } from "./schemas.ts";
import { notFound } from "./handler.server.ts";

type CustomerJson = z.infer<typeof customerSchema>;

/** The export's row (same columns) plus what the API adds. */
type CustomerRow = CustomerExportRow & { updatedAt: Date; joinedAt?: Date };

const SELECT = Prisma.sql`c.id, c."platformId", c.email, c.phone, c."firstName", c."lastName", c.city, c.province, c.country, c.zip,
  c."taxId", c."birthDate", c.gender, c.locale, c."acceptsEmailMarketing", c."acceptsSmsMarketing", c."consentUpdatedAt", c.tags,
  c."platformCreatedAt", c."updatedAt",
  s."ordersCount", s."revenueMinor", s."avgOrderMinor", s."firstOrderAt", s."lastOrderAt", s."rfmSegment", s."rScore", s."fScore",
  s."mScore", s.cluster, s."predictedClvMinor", s."churnRisk"`;
const STATS = Prisma.sql`LEFT JOIN "CustomerStats" s ON s."storeId" = c."storeId" AND s."customerId" = c.id`;

function toJson(r: CustomerRow, currency: string): CustomerJson {
  return {
    id: r.id,
    platformId: r.platformId,
    email: r.email,
    phone: r.phone,
    firstName: r.firstName,
    lastName: r.lastName,
    city: r.city,
    province: r.province,
    country: r.country,
    zip: r.zip,
    taxId: r.taxId,
    birthDate: r.birthDate ? r.birthDate.toISOString().slice(0, 10) : null,
    acceptsEmailMarketing: r.acceptsEmailMarketing,
    acceptsSmsMarketing: r.acceptsSmsMarketing,
    tags: r.tags,
    createdAt: r.platformCreatedAt?.toISOString() ?? null,
    updatedAt: r.updatedAt.toISOString(),
    stats: {
      ordersCount: r.ordersCount ?? 0,
      revenueMinor: String(r.revenueMinor ?? 0n),
      averageOrderMinor: String(r.avgOrderMinor ?? 0n),
      currency,
      firstOrderAt: r.firstOrderAt?.toISOString() ?? null,
      lastOrderAt: r.lastOrderAt?.toISOString() ?? null,
      rfmSegment: r.rfmSegment,
      rScore: r.rScore,
      fScore: r.fScore,
      mScore: r.mScore,
      cluster: r.cluster,
      predictedClvMinor: r.predictedClvMinor === null ? null : String(r.predictedClvMinor),
      churnRisk: r.churnRisk,
    },
  };
}

async function storeCurrency(db: Db, storeId: number): Promise<string> {
  return (await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { currency: true } })).currency;
}

function page<T>(rows: T[], limit: number, idOf: (row: T) => number) {
  const more = rows.length > limit;
  const data = more ? rows.slice(0, limit) : rows;
  return { data, nextCursor: more ? String(idOf(data[data.length - 1]!)) : null };
}

export async function listCustomers(db: Db, storeId: number, q: z.infer<typeof customerListQuery>) {
  const where: Prisma.Sql[] = [Prisma.sql`c."storeId" = ${storeId}`, Prisma.sql`c."erasedAt" IS NULL`];
  if (q.cursor) where.push(Prisma.sql`c.id > ${Number(q.cursor)}`);
  if (q.email) where.push(Prisma.sql`lower(c.email) = lower(${q.email})`);
  if (q.updatedSince) where.push(Prisma.sql`c."updatedAt" >= (${q.updatedSince}::timestamptz AT TIME ZONE 'UTC')`);
  if (q.rfmSegment) where.push(Prisma.sql`s."rfmSegment" = ${q.rfmSegment}`);
  if (q.acceptsEmailMarketing) where.push(Prisma.sql`c."acceptsEmailMarketing" = ${q.acceptsEmailMarketing === "true"}`);
  if (q.segment !== undefined) {
    await getSegment(db, storeId, q.segment);
    where.push(Prisma.sql`EXISTS (SELECT 1 FROM "SegmentMember" m WHERE m."storeId" = c."storeId" AND m."customerId" = c.id AND m."segmentId" = ${q.segment})`);
  }
  const rows = await db.$queryRaw<CustomerRow[]>`SELECT ${SELECT} FROM "Customer" c ${STATS} WHERE ${Prisma.join(where, " AND ")} ORDER BY c.id LIMIT ${q.limit + 1}`;
  const currency = await storeCurrency(db, storeId);
  const p = page(rows, q.limit, (r) => r.id);
  return { data: p.data.map((r) => toJson(r, currency)), page: { nextCursor: p.nextCursor } };
}

export async function getCustomer(db: Db, storeId: number, id: number): Promise<CustomerJson> {
  const [row] = await db.$queryRaw<CustomerRow[]>`SELECT ${SELECT} FROM "Customer" c ${STATS} WHERE c."storeId" = ${storeId} AND c.id = ${id} AND c."erasedAt" IS NULL`;
  if (!row) throw notFound(`customer ${id}`);
  return toJson(row, await storeCurrency(db, storeId));
}

type SegmentJson = z.infer<typeof segmentSchema>;
const segmentJson = (s: { id: number; name: string; kind: SegmentKind; tag: string | null; memberCount: number; refreshedAt: Date | null; createdAt: Date; updatedAt: Date }): SegmentJson => ({
  id: s.id,
  name: s.name,
  kind: s.kind,
  tag: s.tag,
  memberCount: s.memberCount,
  refreshedAt: s.refreshedAt?.toISOString() ?? null,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

export async function listSegments(db: Db, storeId: number): Promise<{ data: SegmentJson[] }> {
  const rows = await db.segment.findMany({ where: { storeId }, orderBy: { id: "asc" } });
  return { data: rows.map(segmentJson) };
}

export async function getSegment(db: Db, storeId: number, id: number): Promise<SegmentJson> {
  const row = await db.segment.findUnique({ where: { storeId_id: { storeId, id } } });
  if (!row) throw notFound(`segment ${id}`);
  return segmentJson(row);
}

export async function listSegmentMembers(db: Db, storeId: number, segmentId: number, q: z.infer<typeof memberListQuery>) {
  await getSegment(db, storeId, segmentId);
  const after = q.cursor ? Prisma.sql`AND c.id > ${Number(q.cursor)}` : Prisma.empty;
  const rows = await db.$queryRaw<CustomerRow[]>`
    SELECT ${SELECT}, m."joinedAt" FROM "SegmentMember" m
    JOIN "Customer" c ON c."storeId" = m."storeId" AND c.id = m."customerId" ${STATS}
    WHERE m."storeId" = ${storeId} AND m."segmentId" = ${segmentId} AND c."erasedAt" IS NULL ${after}
    ORDER BY c.id LIMIT ${q.limit + 1}`;
  const currency = await storeCurrency(db, storeId);
  const p = page(rows, q.limit, (r) => r.id);
  return { data: p.data.map((r) => ({ joinedAt: r.joinedAt!.toISOString(), customer: toJson(r, currency) })), page: { nextCursor: p.nextCursor } };
}

export async function storeStats(db: Db, storeId: number, q: z.infer<typeof statsQuery>): Promise<z.infer<typeof statsSchema>> {
  const period = { from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined };
  const currency = await storeCurrency(db, storeId);
  const [orders, ltv, checkout, recovered, bySegment, histogram] = await Promise.all([
    orderMetrics(db, storeId, period),
    historicalLtv(db, storeId),
    checkoutConversion(db, storeId, period),
    recoveredRevenue(db, storeId, period),
    revenueBySegment(db, storeId),
    spendHistogram(db, storeId, 10 ** currencyDigits(currency)),
  ]);
  return {
    currency,
    period: { from: period.from?.toISOString() ?? null, to: period.to?.toISOString() ?? null },
    orders: orders.orders,
    buyers: orders.buyers,
    revenueMinor: String(orders.revenueMinor),
    averageTicketMinor: String(orders.averageTicketMinor),
    purchaseFrequency: orders.purchaseFrequency,
    repeatPurchaseRate: orders.repeatPurchaseRate,
    historicalLtvMinor: String(ltv.ltvMinor),
    checkoutConversion: checkout,
    recoveredRevenue: { orders: recovered.orders, revenueMinor: String(recovered.revenueMinor) },
    revenueBySegment: bySegment.map((s) => ({ segment: s.segment, customers: s.customers, revenueMinor: String(s.revenueMinor ?? 0n) })),
    spendHistogram: histogram,
  };
}
