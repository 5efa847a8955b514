// The customers index in SQL: search, filters, sort and keyset pagination that stay fast on a
// million customers. Each page is at most two index-ordered scans of PAGE_SIZE + 1 rows:
//  - order sorts (last order, total spent, orders) walk CustomerStats by its (storeId, key,
//    customerId) index for customers with orders ("buyers"), then Customer by primary key for
//    those without ("others": no stats row or zero counted orders), in that order for descending
//    sorts and the other way round for ascending ones;
//  - the name sort walks Customer by its (storeId, name key, id) expression index.
// Search uses the pg_trgm GIN index on SEARCH_DOCUMENT (migration 20261123170000_customers_index).
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { PAGE_SIZE, encodeCursor, searchDigits, type Cursor, type CustomerQuery, type CustomerSort } from "./query.ts";

/** Must stay character for character the expression of the "Customer_search_trgm_idx" index. */
export const SEARCH_DOCUMENT = Prisma.raw(
  `lower(coalesce(c."firstName", '') || ' ' || coalesce(c."lastName", '') || ' ' || coalesce(c.email, '') || ' ' || coalesce(c."taxId", '') || ' ' || coalesce(regexp_replace(c.phone, '\\D', '', 'g'), ''))`,
);
/** Must stay the expression of the "Customer_storeId_name_idx" index. */
export const NAME_KEY = Prisma.raw(`lower(btrim(coalesce(c."firstName", '') || ' ' || coalesce(c."lastName", '')))`);

export interface CustomerRow {
  id: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  city: string | null;
  province: string | null;
  country: string | null;
  acceptsEmailMarketing: boolean;
  tags: string[];
  ordersCount: number;
  revenueMinor: bigint;
  lastOrderAt: Date | null;
  rfmSegment: string | null;
}

export interface CustomerPage {
  rows: CustomerRow[];
  /** Cursor for the next page (pass as `after`), null on the last page. */
  next: string | null;
  /** Cursor for the previous page (pass as `before`), null on the first page. */
  previous: string | null;
}

type Phase = Cursor["p"];

const STATS_KEY: Record<Exclude<CustomerSort, "name">, { col: Prisma.Sql; type: Prisma.Sql }> = {
  last_order: { col: Prisma.raw(`s."lastOrderAt"`), type: Prisma.raw("timestamp(3)") },
  total_spent: { col: Prisma.raw(`s."revenueMinor"`), type: Prisma.raw("bigint") },
  orders: { col: Prisma.raw(`s."ordersCount"`), type: Prisma.raw("int") },
};

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/** WHERE conditions on the customer (both phases). */
function customerFilters(q: CustomerQuery): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  if (q.q) {
    const digits = searchDigits(q.q);
    const term = `%${escapeLike((digits ?? q.q).toLowerCase())}%`;
    where.push(Prisma.sql`${SEARCH_DOCUMENT} LIKE ${term}`);
  }
  if (q.consent) where.push(Prisma.sql`c."acceptsEmailMarketing" = ${q.consent === "subscribed"}`);
  if (q.tag) where.push(Prisma.sql`c.tags @> ARRAY[${q.tag}]::text[]`);
  if (q.country) where.push(Prisma.sql`c.country = ${q.country}`);
  if (q.state) where.push(Prisma.sql`upper(c.province) = upper(${q.state})`);
  where.push(Prisma.sql`c."erasedAt" IS NULL`);
  return where;
}

const SELECT = Prisma.sql`c.id, c."firstName", c."lastName", c.email, c.phone, c.city, c.province, c.country, c."acceptsEmailMarketing", c.tags,
  coalesce(s."ordersCount", 0)::int AS "ordersCount", coalesce(s."revenueMinor", 0)::bigint AS "revenueMinor", s."lastOrderAt", s."rfmSegment"`;

/** SELECT of a customer known to have no counted order (no stats needed). */
const OTHERS_SELECT = Prisma.sql`c.id, c."firstName", c."lastName", c.email, c.phone, c.city, c.province, c.country, c."acceptsEmailMarketing", c.tags,
  0 AS "ordersCount", 0::bigint AS "revenueMinor", NULL::timestamp(3) AS "lastOrderAt", NULL::text AS "rfmSegment"`;

function phasesFor(q: CustomerQuery): Phase[] {
  if (q.sort === "name") return ["all"];
  const buyersOnly = q.segment !== undefined || q.hasOrders === "yes";
  const phases: Phase[] = q.hasOrders === "no" ? ["others"] : buyersOnly ? ["buyers"] : ["buyers", "others"];
  return q.dir === "desc" ? phases : phases.reverse();
}

/** One phase's query: PAGE_SIZE + 1 rows after `from` (exclusive) in direction `dir`. */
function phaseSql(storeId: number, q: CustomerQuery, phase: Phase, ord: number, dir: "asc" | "desc", from: Cursor | null, limit: number): Prisma.Sql {
  const cmp = Prisma.raw(dir === "desc" ? "<" : ">");
  const d = Prisma.raw(dir === "desc" ? "DESC" : "ASC");
  const where = customerFilters(q);
  if (q.segment) where.push(Prisma.sql`s."rfmSegment" = ${q.segment}`);
  if (phase === "buyers") {
    const key = STATS_KEY[q.sort as Exclude<CustomerSort, "name">];
    if (from?.p === "buyers") where.push(Prisma.sql`(${key.col}, s."customerId") ${cmp} (${from.k}::${key.type}, ${from.i}::int)`);
    return Prisma.sql`(SELECT ${ord}::int AS ord, ${key.col} AS sk, (${key.col})::text AS "sortKey", ${SELECT}
      FROM "CustomerStats" s JOIN "Customer" c ON c."storeId" = s."storeId" AND c.id = s."customerId"
      WHERE s."storeId" = ${storeId} AND s."ordersCount" > 0 AND ${Prisma.join(where, " AND ")}
      ORDER BY ${key.col} ${d}, s."customerId" ${d} LIMIT ${limit})`;
  }
  if (phase === "others") {
    if (from?.p === "others") where.push(Prisma.sql`c.id ${cmp} ${from.i}::int`);
    // No counted order: no stats row, or one with zero orders. NOT EXISTS lets PostgreSQL walk the
    // customers' primary key and stop after a page (an anti-join), instead of joining everyone.
    // sk: NULL of the key's type, so the outer UNION has one type per column.
    const type = STATS_KEY[q.sort as Exclude<CustomerSort, "name">].type;
    return Prisma.sql`(SELECT ${ord}::int AS ord, NULL::${type} AS sk, NULL::text AS "sortKey", ${OTHERS_SELECT}
      FROM "Customer" c
      WHERE c."storeId" = ${storeId} AND NOT EXISTS (SELECT 1 FROM "CustomerStats" s WHERE s."storeId" = c."storeId" AND s."customerId" = c.id AND s."ordersCount" > 0)
        AND ${Prisma.join(where, " AND ")}
      ORDER BY c.id ${d} LIMIT ${limit})`;
  }
  if (q.hasOrders === "yes") where.push(Prisma.sql`s."ordersCount" > 0`);
  if (q.hasOrders === "no") where.push(Prisma.sql`coalesce(s."ordersCount", 0) = 0`);
  if (from?.p === "all") where.push(Prisma.sql`(${NAME_KEY}, c.id) ${cmp} (${from.k ?? ""}::text, ${from.i}::int)`);
  return Prisma.sql`(SELECT ${ord}::int AS ord, ${NAME_KEY} AS sk, ${NAME_KEY} AS "sortKey", ${SELECT}
    FROM "Customer" c LEFT JOIN "CustomerStats" s ON s."storeId" = c."storeId" AND s."customerId" = c.id
    WHERE c."storeId" = ${storeId} AND ${Prisma.join(where, " AND ")}
    ORDER BY ${NAME_KEY} ${d}, c.id ${d} LIMIT ${limit})`;
}

type RawRow = CustomerRow & { ord: number; sortKey: string | null; sk: unknown };

/**
 * One page of the store's customers. `after`/`before` are decoded cursors of the previous answer
 * (never both). Rows come back in the list's order whichever way we moved.
 */
export async function searchCustomers(db: Db, storeId: number, q: CustomerQuery, at: { after?: Cursor; before?: Cursor } = {}, pageSize = PAGE_SIZE): Promise<CustomerPage> {
  const backwards = !!at.before;
  const from = at.after ?? at.before ?? null;
  let phases = phasesFor(q);
  let dir = q.dir;
  if (backwards) {
    phases = [...phases].reverse();
    dir = dir === "desc" ? "asc" : "desc";
  }
  if (from) {
    const start = phases.indexOf(from.p);
    phases = start < 0 ? [] : phases.slice(start);
  }
  if (phases.length === 0) return { rows: [], next: null, previous: null };
  const d = Prisma.raw(dir === "desc" ? "DESC" : "ASC");
  const branches = phases.map((p, i) => phaseSql(storeId, q, p, i, dir, i === 0 ? from : null, pageSize + 1));
  const raw = await db.$queryRaw<RawRow[]>`
    SELECT * FROM (${Prisma.join(branches, " UNION ALL ")}) page ORDER BY ord, sk ${d}, id ${d} LIMIT ${pageSize + 1}`;
  const more = raw.length > pageSize;
  const kept = raw.slice(0, pageSize);
  const cursorOf = (r: RawRow): string => encodeCursor({ p: phases[r.ord]!, k: r.sortKey, i: r.id });
  const rows = backwards ? kept.reverse() : kept;
  const first = rows[0];
  const last = rows[rows.length - 1];
  const strip = (r: RawRow): CustomerRow => {
    const { ord: _o, sortKey: _k, sk: _s, ...row } = r;
    return row;
  };
  return {
    rows: rows.map(strip),
    next: last && (backwards || more) ? cursorOf(last) : null,
    previous: first && (backwards ? more : !!from) ? cursorOf(first) : null,
  };
}
