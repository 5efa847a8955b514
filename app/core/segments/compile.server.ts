// Segment filter AST → ONE parameterised SQL predicate over
//   "Customer" c LEFT JOIN "CustomerStats" s ON (s."storeId", s."customerId") = (c."storeId", c.id)
// Every value travels as a bind parameter (Prisma.sql); the only raw SQL fragments are column names
// picked from the fixed maps below, never from input. Every subquery is pinned to the store by a
// constant `"storeId" = $n` (so it uses the store-leading indexes), and the base scope always
// excludes erased customers.
//
// Semantics worth knowing:
// - Text comparisons ignore case; "contains"/"starts with" escape % and _ (they match literally).
// - A customer without a stats row has 0 orders / 0 spent / 0 average ticket; unscored customers
//   (no RFM, no prediction) never satisfy a comparison on those scores, and "not in" includes them.
// - NOT is a true complement (`IS NOT TRUE`): NOT (churn risk > 0.5) includes the unscored.
// - Dates given as days (YYYY-MM-DD) are the store's calendar days (Store.timezone).
// - "bought", "payment method used", "sales channel" read counted orders (COUNTED_ORDER: the same
//   rule as the stats); UTM / landing page read every order that is not deleted or a test.
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { COUNTED_ORDER, utcTimestamp } from "#app/core/ingest/customer-stats.server.ts";
import { ABANDONED_AFTER_MINUTES } from "#app/core/metrics/overview.server.ts";
import { parseSegmentFilter, type Condition, type FilterNode, type Group, type NumberField, type SegmentFilter } from "./filter.ts";

export interface SegmentContext {
  storeId: number;
  /** Store.timezone: the calendar "days" and ages are counted in. */
  timezone: string;
  /** "Now" for relative dates (tests pin it). */
  now: Date;
}

/** Event types that mean "unsubscribed from email" (the flows' unsubscribe link writes "unsubscribed"). */
export const UNSUBSCRIBED_EVENT_TYPES = ["unsubscribed", "email.unsubscribed"];
export const PRODUCT_VIEWED_EVENT = "storefront.product_viewed";

const DAY_MS = 86_400_000;
const raw = Prisma.raw;

/** The FROM clause every segment query reads. */
export const SEGMENT_FROM = Prisma.sql`"Customer" c LEFT JOIN "CustomerStats" s ON s."storeId" = c."storeId" AND s."customerId" = c.id`;

/** Escape LIKE metacharacters so a merchant's "50%_off" matches itself (backslash is PostgreSQL's default escape). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

const lower = (values: readonly string[]) => values.map((v) => v.toLowerCase());

function textPredicate(column: Prisma.Sql, op: string, values: readonly string[] | undefined): Prisma.Sql {
  const vals = lower(values ?? []);
  switch (op) {
    case "in":
      return Prisma.sql`lower(${column}) = ANY(${vals}::text[])`;
    case "not_in":
      return Prisma.sql`(${column} IS NULL OR lower(${column}) <> ALL(${vals}::text[]))`;
    case "contains":
      return orOf(vals.map((v) => Prisma.sql`lower(${column}) LIKE ${`%${escapeLike(v)}%`}`));
    case "starts_with":
      return orOf(vals.map((v) => Prisma.sql`lower(${column}) LIKE ${`${escapeLike(v)}%`}`));
    case "is_set":
      return Prisma.sql`(${column} IS NOT NULL AND ${column} <> '')`;
    case "is_not_set":
      return Prisma.sql`(${column} IS NULL OR ${column} = '')`;
    default:
      throw new Error(`unknown text operator ${op}`);
  }
}

function orOf(parts: Prisma.Sql[]): Prisma.Sql {
  if (!parts.length) return Prisma.sql`FALSE`;
  return parts.length === 1 ? parts[0]! : Prisma.sql`(${Prisma.join(parts, " OR ")})`;
}
function andOf(parts: Prisma.Sql[]): Prisma.Sql {
  if (!parts.length) return Prisma.sql`TRUE`;
  return parts.length === 1 ? parts[0]! : Prisma.sql`(${Prisma.join(parts, " AND ")})`;
}

const CUSTOMER_TEXT_COLUMNS = { city: 'c."city"', province: 'c."province"', country: 'c."country"', gender: 'c."gender"', email: 'c."email"', zip: 'c."zip"' } as const;
const ORDER_TEXT_COLUMNS = { utmSource: 'o."utmSource"', utmMedium: 'o."utmMedium"', utmCampaign: 'o."utmCampaign"', landingSite: 'o."landingSite"', referringSite: 'o."referringSite"' } as const;

/** Numeric stats columns: SQL type of the bound value, and whether a missing stats row means 0. */
const NUMBER_COLUMNS: Record<Exclude<NumberField, "age">, { column: string; cast: string; zeroWhenMissing: boolean }> = {
  ordersCount: { column: 's."ordersCount"', cast: "int", zeroWhenMissing: true },
  totalSpent: { column: 's."revenueMinor"', cast: "bigint", zeroWhenMissing: true },
  avgTicket: { column: 's."avgOrderMinor"', cast: "bigint", zeroWhenMissing: true },
  predictedClv: { column: 's."predictedClvMinor"', cast: "bigint", zeroWhenMissing: false },
  pAlive: { column: 's."pAlive"', cast: "float8", zeroWhenMissing: false },
  churnRisk: { column: 's."churnRisk"', cast: "float8", zeroWhenMissing: false },
  rScore: { column: 's."rScore"', cast: "int", zeroWhenMissing: false },
  fScore: { column: 's."fScore"', cast: "int", zeroWhenMissing: false },
  mScore: { column: 's."mScore"', cast: "int", zeroWhenMissing: false },
};

type NumberCondition = Extract<Condition, { field: NumberField }>;

function holds(op: string, x: number, a: number, b: number): boolean {
  switch (op) {
    case "eq": return x === a;
    case "neq": return x !== a;
    case "gt": return x > a;
    case "gte": return x >= a;
    case "lt": return x < a;
    case "lte": return x <= a;
    case "between": return x >= a && x <= b;
    default: return false;
  }
}

function numberPredicate(c: NumberCondition): Prisma.Sql {
  if (c.field === "age") return agePredicate(c);
  const { column, cast, zeroWhenMissing } = NUMBER_COLUMNS[c.field];
  const col = raw(column);
  const v = (n: number | undefined) => Prisma.sql`${n ?? 0}::${raw(cast)}`;
  let p: Prisma.Sql;
  switch (c.op) {
    case "is_set":
      return zeroWhenMissing ? Prisma.sql`TRUE` : Prisma.sql`${col} IS NOT NULL`;
    case "is_not_set":
      return zeroWhenMissing ? Prisma.sql`FALSE` : Prisma.sql`${col} IS NULL`;
    case "eq": p = Prisma.sql`${col} = ${v(c.value)}`; break;
    case "neq": p = Prisma.sql`${col} <> ${v(c.value)}`; break;
    case "gt": p = Prisma.sql`${col} > ${v(c.value)}`; break;
    case "gte": p = Prisma.sql`${col} >= ${v(c.value)}`; break;
    case "lt": p = Prisma.sql`${col} < ${v(c.value)}`; break;
    case "lte": p = Prisma.sql`${col} <= ${v(c.value)}`; break;
    case "between": p = Prisma.sql`${col} BETWEEN ${v(c.value)} AND ${v(c.value2)}`; break;
  }
  // Only when 0 satisfies it does a customer without stats need naming; otherwise the predicate
  // stays strict, which lets PostgreSQL turn the LEFT JOIN into an inner join driven by an index.
  if (zeroWhenMissing && holds(c.op, 0, c.value ?? 0, c.value2 ?? 0)) return Prisma.sql`(${p} OR s."customerId" IS NULL)`;
  return p;
}

/** Age in whole years as a range of birth dates (index-friendly), counted from the store's today. */
function agePredicate(c: NumberCondition, ): Prisma.Sql {
  if (c.op === "is_set") return Prisma.sql`c."birthDate" IS NOT NULL`;
  if (c.op === "is_not_set") return Prisma.sql`c."birthDate" IS NULL`;
  const a = c.value ?? 0;
  // [lo, hi] ages inclusive; null = unbounded.
  const range: Record<string, [number | null, number | null]> = {
    eq: [a, a], neq: [a, a], gt: [a + 1, null], gte: [a, null], lt: [null, a - 1], lte: [null, a], between: [a, c.value2 ?? a],
  };
  const [lo, hi] = range[c.op]!;
  const parts: Prisma.Sql[] = [Prisma.sql`c."birthDate" IS NOT NULL`];
  // age ≥ lo ⇔ born on or before today − lo years; age ≤ hi ⇔ born after today − (hi + 1) years.
  if (lo !== null) parts.push(Prisma.sql`c."birthDate" <= (sc.today - make_interval(years => ${lo}::int))::date`);
  if (hi !== null) parts.push(Prisma.sql`c."birthDate" > (sc.today - make_interval(years => ${hi + 1}::int))::date`);
  const inRange = andOf(parts);
  return c.op === "neq" ? Prisma.sql`(c."birthDate" IS NOT NULL AND (${inRange}) IS NOT TRUE)` : inRange;
}

/** The UTC timestamp where a store-local calendar day starts. */
function localDayStart(day: string, tz: string): Prisma.Sql {
  return Prisma.sql`((${day}::timestamp AT TIME ZONE ${tz}) AT TIME ZONE 'UTC')`;
}

function daysAgo(ctx: SegmentContext, days: number): Prisma.Sql {
  return utcTimestamp(new Date(ctx.now.getTime() - days * DAY_MS));
}

const DATE_COLUMNS = { firstOrderAt: 's."firstOrderAt"', lastOrderAt: 's."lastOrderAt"', customerSince: 'coalesce(c."platformCreatedAt", c."createdAt")' } as const;

function datePredicate(c: Extract<Condition, { field: keyof typeof DATE_COLUMNS }>, ctx: SegmentContext): Prisma.Sql {
  const col = raw(DATE_COLUMNS[c.field]);
  switch (c.op) {
    case "before": return Prisma.sql`${col} < ${localDayStart(c.date!, ctx.timezone)}`;
    case "from": return Prisma.sql`${col} >= ${localDayStart(c.date!, ctx.timezone)}`;
    case "between":
      return Prisma.sql`(${col} >= ${localDayStart(c.date!, ctx.timezone)} AND ${col} < ${localDayStart(c.date2!, ctx.timezone)} + interval '1 day')`;
    case "in_last_days": return Prisma.sql`${col} >= ${daysAgo(ctx, c.days!)}`;
    case "more_than_days_ago": return Prisma.sql`${col} < ${daysAgo(ctx, c.days!)}`;
    case "is_set": return Prisma.sql`${col} IS NOT NULL`;
    case "is_not_set": return Prisma.sql`${col} IS NULL`;
  }
}

function setPredicate(column: Prisma.Sql, op: "in" | "not_in", values: Prisma.Sql): Prisma.Sql {
  return op === "in" ? Prisma.sql`${column} = ANY(${values})` : Prisma.sql`(${column} IS NULL OR ${column} <> ALL(${values}))`;
}

const CHURN_BAND_SQL = {
  low: Prisma.sql`s."churnRisk" < 0.33`,
  medium: Prisma.sql`(s."churnRisk" >= 0.33 AND s."churnRisk" <= 0.66)`,
  high: Prisma.sql`s."churnRisk" > 0.66`,
} as const;

const since = (column: Prisma.Sql, ctx: SegmentContext, days: number | undefined) => (days === undefined ? Prisma.empty : Prisma.sql` AND ${column} >= ${daysAgo(ctx, days)}`);

/** A customer's orders, as the head of a correlated EXISTS. */
const ordersOf = (ctx: SegmentContext) => Prisma.sql`SELECT 1 FROM "Order" o WHERE o."storeId" = ${ctx.storeId} AND o."customerId" = c.id`;

type ActionCondition = Extract<Condition, { field: "paymentMethod" | "abandonedCheckout" | "messageOpened" | "messageClicked" }>;

/**
 * The rows behind an action condition (counted orders paid by a method, open checkouts, opened /
 * clicked messages), pinned to the store: the predicate asks whether the customer has one
 * (EXISTS … = c.id); a count of that condition alone counts their distinct customers instead.
 */
function actionRows(c: ActionCondition, ctx: SegmentContext): { from: Prisma.Sql; where: Prisma.Sql; customerId: Prisma.Sql } {
  const S = ctx.storeId;
  switch (c.field) {
    case "paymentMethod":
      return {
        from: Prisma.sql`"Order" o`,
        where: Prisma.sql`o."storeId" = ${S} AND ${COUNTED_ORDER} AND o."paymentMethod" = ANY(${c.values}::"PaymentMethod"[])${since(Prisma.sql`o."placedAt"`, ctx, c.inLastDays)}`,
        customerId: Prisma.sql`o."customerId"`,
      };
    case "abandonedCheckout":
      return {
        from: Prisma.sql`"Checkout" k`,
        where: Prisma.sql`k."storeId" = ${S} AND k."completedAt" IS NULL
          AND coalesce(k."platformUpdatedAt", k."startedAt") < ${utcTimestamp(new Date(ctx.now.getTime() - ABANDONED_AFTER_MINUTES * 60_000))}${since(Prisma.sql`k."startedAt"`, ctx, c.inLastDays)}`,
        customerId: Prisma.sql`k."customerId"`,
      };
    case "messageOpened":
    case "messageClicked": {
      const col = c.field === "messageOpened" ? Prisma.sql`m."openedAt"` : Prisma.sql`m."clickedAt"`;
      return { from: Prisma.sql`"Message" m`, where: Prisma.sql`m."storeId" = ${S} AND ${col} IS NOT NULL${since(col, ctx, c.inLastDays)}`, customerId: Prisma.sql`m."customerId"` };
    }
  }
}

const ACTION_FIELDS = new Set<string>(["paymentMethod", "abandonedCheckout", "messageOpened", "messageClicked"]);

/** The row's customer id in the FROM the predicate is compiled for: c.id, or s."customerId" when driven by CustomerStats. */
const CUSTOMER_ID = Prisma.sql`c.id`;
const STATS_CUSTOMER_ID = Prisma.sql`s."customerId"`;

function conditionPredicate(c: Condition, ctx: SegmentContext, id: Prisma.Sql): Prisma.Sql {
  const S = ctx.storeId;
  switch (c.field) {
    case "city":
    case "province":
    case "country":
    case "gender":
    case "email":
    case "zip":
      return textPredicate(raw(CUSTOMER_TEXT_COLUMNS[c.field]), c.op, c.values);
    case "utmSource":
    case "utmMedium":
    case "utmCampaign":
    case "landingSite":
    case "referringSite":
      return Prisma.sql`EXISTS (${ordersOf(ctx)} AND o."deletedAt" IS NULL AND NOT o.test AND ${textPredicate(raw(ORDER_TEXT_COLUMNS[c.field]), c.op, c.values)}${since(Prisma.sql`o."placedAt"`, ctx, c.inLastDays)})`;
    case "ordersCount":
    case "totalSpent":
    case "avgTicket":
    case "predictedClv":
    case "pAlive":
    case "churnRisk":
    case "rScore":
    case "fScore":
    case "mScore":
    case "age":
      return numberPredicate(c);
    case "firstOrderAt":
    case "lastOrderAt":
    case "customerSince":
      return datePredicate(c, ctx);
    case "rfmSegment":
      return setPredicate(Prisma.sql`s."rfmSegment"`, c.op, Prisma.sql`${c.values}::text[]`);
    case "shopifyRfmGroup":
      return setPredicate(Prisma.sql`lower(s."shopifyRfmGroup")`, c.op, Prisma.sql`${lower(c.values)}::text[]`);
    case "cluster":
      return setPredicate(Prisma.sql`s.cluster`, c.op, Prisma.sql`${c.values}::int[]`);
    case "churnBand": {
      const any = orOf([...new Set(c.values)].map((b) => CHURN_BAND_SQL[b]));
      return c.op === "in" ? any : Prisma.sql`(${any}) IS NOT TRUE`;
    }
    case "birthdayMonth": {
      // "IS NOT NULL AND" changes nothing (a missing birth date compares as unknown) but lets
      // PostgreSQL use "Customer_segment_birth_idx", which holds only customers with one.
      const month = setPredicate(Prisma.sql`extract(month FROM c."birthDate")::int`, c.op, Prisma.sql`${c.values}::int[]`);
      return c.op === "in" ? Prisma.sql`(c."birthDate" IS NOT NULL AND ${month})` : month;
    }
    case "paymentMethod":
    case "abandonedCheckout":
    case "messageOpened":
    case "messageClicked": {
      const rows = actionRows(c, ctx);
      return Prisma.sql`EXISTS (SELECT 1 FROM ${rows.from} WHERE ${rows.where} AND ${rows.customerId} = c.id)`;
    }
    case "salesChannel":
      return Prisma.sql`jsonb_exists_any(s."channelMix", ${c.values}::text[])`;
    case "boughtProduct":
    case "boughtCategory": {
      const line = c.field === "boughtProduct" ? Prisma.sql`l."productId" = ANY(${c.productIds}::text[])` : Prisma.sql`lower(l.category) = ANY(${lower(c.categories)}::text[])`;
      return Prisma.sql`EXISTS (SELECT 1 FROM "Order" o JOIN "OrderLine" l ON l."storeId" = o."storeId" AND l."orderId" = o.id
        WHERE o."storeId" = ${S} AND l."storeId" = ${S} AND o."customerId" = c.id AND ${COUNTED_ORDER} AND ${line}${since(Prisma.sql`o."placedAt"`, ctx, c.inLastDays)})`;
    }
    case "viewedProduct":
      return Prisma.sql`EXISTS (SELECT 1 FROM "Event" e WHERE e."storeId" = ${S} AND e."customerId" = c.id AND e.type = ${PRODUCT_VIEWED_EVENT}
        AND e.data->>'productId' = ANY(${c.productIds}::text[])${since(Prisma.sql`e."occurredAt"`, ctx, c.inLastDays)})`;
    case "unpaidPayment":
      return Prisma.sql`EXISTS (SELECT 1 FROM "Payment" p JOIN "Order" o ON o."storeId" = p."storeId" AND o.id = p."orderId"
        WHERE p."storeId" = ${S} AND o."storeId" = ${S} AND o."customerId" = c.id AND p.status = 'pending' AND p.method = ANY(${c.methods ?? ["boleto", "pix"]}::"PaymentMethod"[])
        AND o."cancelledAt" IS NULL AND o."deletedAt" IS NULL AND (p."dueAt" IS NULL OR p."dueAt" >= ${utcTimestamp(ctx.now)}))`;
    case "unsubscribed":
      // Our own unsubscribe events, or the platform's consent now off after a recorded change.
      return Prisma.sql`(EXISTS (SELECT 1 FROM "Event" e WHERE e."storeId" = ${S} AND e."customerId" = c.id AND e.type = ANY(${UNSUBSCRIBED_EVENT_TYPES}::text[]))
        OR (NOT c."acceptsEmailMarketing" AND c."consentUpdatedAt" IS NOT NULL))`;
    case "inSegment":
      return Prisma.sql`EXISTS (SELECT 1 FROM "SegmentMember" m WHERE m."storeId" = ${S} AND m."customerId" = c.id AND m."segmentId" = ANY(${c.segmentIds}::int[]))`;
    case "tags": {
      // "CustomerTag" holds every customer's tags lower-cased (kept by triggers on "Customer"), so
      // the test reads the (storeId, tag, customerId) index for just the tags asked for, once: a
      // semi-join or a hashed subplan (measured faster here than an anti-join, which hashes the
      // other side), never a per-row array conversion. Never NULL (see neverNull).
      const vals = [...new Set(lower(c.values))];
      const tagged = Prisma.sql`SELECT t."customerId" FROM "CustomerTag" t WHERE t."storeId" = ${S} AND t.tag = ANY(${vals}::text[])`;
      if (c.op === "any") return Prisma.sql`${id} IN (${tagged})`;
      if (c.op === "none") return Prisma.sql`NOT (${id} IN (${tagged}))`;
      // One row per distinct (customer, tag): all of them means as many rows as tags asked for.
      return Prisma.sql`${id} IN (${tagged} GROUP BY t."customerId" HAVING count(*) = ${vals.length}::int)`;
    }
    case "emailConsent":
      return Prisma.sql`c."acceptsEmailMarketing" = ${c.value}`;
    case "smsConsent":
      return Prisma.sql`c."acceptsSmsMarketing" = ${c.value}`;
  }
}

/** The predicate of one node (no store scope; see segmentFromWhere). `id`: the row's customer id. */
export function compileNode(node: FilterNode, ctx: SegmentContext, id: Prisma.Sql = CUSTOMER_ID): Prisma.Sql {
  if (node.type === "condition") return conditionPredicate(node, ctx, id);
  const parts = node.children.map((child) => compileNode(child, ctx, id));
  const combined = node.op === "and" ? andOf(parts) : orOf(parts);
  if (!node.not) return combined;
  // IS NOT TRUE, not NOT: a comparison with a missing value is NULL, and NOT NULL would drop
  // the customer from both a group and its negation. A predicate that is never NULL takes a plain
  // NOT (NOT tagged VIP: one hashed set of the VIPs).
  return neverNull(node) ? Prisma.sql`NOT (${combined})` : Prisma.sql`(${combined}) IS NOT TRUE`;
}

/** Whether the compiled predicate is always TRUE or FALSE (tag tests; empty groups). */
function neverNull(node: FilterNode): boolean {
  return node.type === "condition" ? node.field === "tags" : node.children.every(neverNull);
}

function usesAge(node: FilterNode): boolean {
  return node.type === "condition" ? node.field === "age" : node.children.some(usesAge);
}

/** Fields read from CustomerStats alone. */
const STATS_FIELDS = new Set<string>([
  "ordersCount", "totalSpent", "avgTicket", "predictedClv", "pAlive", "churnRisk", "rScore", "fScore", "mScore",
  "firstOrderAt", "lastOrderAt", "rfmSegment", "shopifyRfmGroup", "cluster", "churnBand", "salesChannel",
]);

type Tri = boolean | null;

/** SQL's AND / OR over three-valued logic. */
const and3 = (a: Tri, b: Tri): Tri => (a === false || b === false ? false : a === null || b === null ? null : true);
const or3 = (a: Tri, b: Tri): Tri => (a === true || b === true ? true : a === null || b === null ? null : false);

/**
 * Every value (SQL three-valued) the compiled predicate can take for a customer WITHOUT a stats
 * row, for filters of stats fields and tags. Without TRUE among them such customers never match,
 * so the count can be driven from CustomerStats (and its index-only scans) without reading the
 * wide "Customer" rows at all. A tag test can go either way (its id set is read by index).
 */
function withoutStats(node: FilterNode): Set<Tri> {
  if (node.type === "group") {
    let acc = new Set<Tri>([node.op === "and"]);
    for (const child of node.children) {
      const next = new Set<Tri>();
      for (const a of acc) for (const b of withoutStats(child)) next.add(node.op === "and" ? and3(a, b) : or3(a, b));
      acc = next;
    }
    // NOT is compiled as IS NOT TRUE.
    return node.not ? new Set([...acc].map((v) => v !== true)) : acc;
  }
  if (node.field === "tags") return new Set([true, false]);
  const c = node as Condition & { op?: string; value?: number; value2?: number };
  const zero = c.field in NUMBER_COLUMNS && NUMBER_COLUMNS[c.field as keyof typeof NUMBER_COLUMNS].zeroWhenMissing;
  if (c.op === "is_set") return new Set([zero]);
  if (c.op === "is_not_set") return new Set([!zero]);
  if (c.op === "not_in") return new Set([true]);
  if (zero) return new Set([holds(c.op!, 0, c.value ?? 0, c.value2 ?? 0) ? true : null]);
  return new Set([null]);
}

function onlyFields(node: FilterNode, allowed: (field: string) => boolean): boolean {
  return node.type === "condition" ? allowed(node.field) : node.children.every((child) => onlyFields(child, allowed));
}

/** Whether the members can be read from CustomerStats alone (see withoutStats). */
export function isStatsDriven(filter: SegmentFilter): boolean {
  return filter.children.length > 0 && onlyFields(filter, (f) => STATS_FIELDS.has(f) || f === "tags") && !withoutStats(filter).has(true);
}

/** Whether the filter reads nothing from CustomerStats (then its FROM leaves the stats join out). */
export function readsNoStats(filter: SegmentFilter): boolean {
  return onlyFields(filter, (f) => !STATS_FIELDS.has(f));
}


/**
 * FROM + WHERE of the segment: store scope, erased customers out, the filter. `source`:
 * - "join" (default): every customer, with its stats if any;
 * - "customers": no CustomerStats join, for filters that read no stats: even a join PostgreSQL
 *   removes keeps c.id "needed" and so rules out index-only scans of "Customer_segment_place_idx";
 * - "buyers": customers WITH a stats row only, driven by CustomerStats (walks its indexes).
 */
export function segmentFromWhere(filter: SegmentFilter, ctx: SegmentContext, opts: { source?: "join" | "customers" | "buyers" } = {}): Prisma.Sql {
  // The store's "today", computed once, for ages.
  const today = usesAge(filter)
    ? Prisma.sql` CROSS JOIN (SELECT ((${ctx.now.toISOString()}::timestamptz) AT TIME ZONE ${ctx.timezone})::date AS today) sc`
    : Prisma.empty;
  const source = opts.source ?? "join";
  const from =
    source === "customers" ? Prisma.sql`"Customer" c`
    : source === "buyers" ? Prisma.sql`"CustomerStats" s JOIN "Customer" c ON c."storeId" = s."storeId" AND c.id = s."customerId"`
    : SEGMENT_FROM;
  const scope = source === "buyers" ? Prisma.sql`s."storeId" = ${ctx.storeId} AND c."storeId" = ${ctx.storeId}` : Prisma.sql`c."storeId" = ${ctx.storeId}`;
  return Prisma.sql`FROM ${from}${today} WHERE ${scope} AND c."erasedAt" IS NULL AND ${compileNode(filter, ctx)}`;
}

/**
 * FROM + WHERE driven by CustomerStats, for filters that only read stats and cannot match a
 * customer without them: erased customers are an anti-join against the (few) erased ids.
 */
function statsFromWhere(filter: SegmentFilter, ctx: SegmentContext): Prisma.Sql {
  return Prisma.sql`FROM "CustomerStats" s WHERE s."storeId" = ${ctx.storeId} AND ${compileNode(filter, ctx, STATS_CUSTOMER_ID)}
    AND NOT EXISTS (SELECT 1 FROM "Customer" e WHERE e."storeId" = ${ctx.storeId} AND e."erasedAt" IS NOT NULL AND e.id = s."customerId")`;
}

/** `SELECT … AS "customerId"` of every member: for materialisation (membership.server.ts). */
export function segmentMembersQuery(filter: SegmentFilter, ctx: SegmentContext): Prisma.Sql {
  const members = rfmMembers(filter, ctx);
  if (members) return Prisma.sql`SELECT g."customerId" AS "customerId" ${members}`;
  if (isStatsDriven(filter)) return Prisma.sql`SELECT s."customerId" AS "customerId" ${statsFromWhere(filter, ctx)}`;
  return Prisma.sql`SELECT c.id AS "customerId" ${segmentFromWhere(filter, ctx, { source: readsNoStats(filter) ? "customers" : "join" })}`;
}

/**
 * FROM + WHERE of "RFM segment in (…)" alone, from CustomerRfmSegment's key (storeId, segment,
 * customerId): a range of it, index only. (CustomerStats has no index on rfmSegment, so that a
 * rescoring's updates stay HOT; that table mirrors the column, see migration rfm_segment_members.)
 * Erased customers out. Null for any other filter.
 */
function rfmMembers(filter: SegmentFilter, ctx: SegmentContext): Prisma.Sql | null {
  const only = soleCondition(filter);
  if (only?.type !== "condition" || only.field !== "rfmSegment" || only.op !== "in") return null;
  return Prisma.sql`FROM "CustomerRfmSegment" g WHERE g."storeId" = ${ctx.storeId} AND g.segment = ANY(${only.values}::text[])
    AND ${notErased(Prisma.sql`g."customerId"`, ctx)}`;
}

/** The filter's one child when it is nothing more (no NOT, no siblings). */
function soleCondition(filter: SegmentFilter): SegmentFilter["children"][number] | null {
  return !filter.not && filter.children.length === 1 ? filter.children[0]! : null;
}

/**
 * `customerId` is not an erased customer's: the erased as a hashed list of their (few) ids, so
 * that whatever the planner believes about the counted table's size, never one probe per row.
 */
function notErased(customerId: Prisma.Sql, ctx: SegmentContext): Prisma.Sql {
  return Prisma.sql`NOT (${customerId} IN (SELECT e.id FROM "Customer" e WHERE e."storeId" = ${ctx.storeId} AND e."erasedAt" IS NOT NULL))`;
}

/**
 * Stats fields that lead an index of CustomerStats ((storeId, field, …)), so that a condition on one
 * of them reads a range of that index. pAlive is the second key of the churn index: a condition on
 * it is still checked inside the index scan (an index condition), never row by row.
 */
const RANGE_FIELDS = new Set<string>(["cluster", "lastOrderAt", "totalSpent", "ordersCount", "churnRisk", "churnBand", "pAlive"]);
const RANGE_OPS = new Set<string>(["in", "eq", "gt", "gte", "lt", "lte", "between", "before", "from", "in_last_days", "more_than_days_ago"]);
const MAX_SPLIT_BRANCHES = 4;

/** Whether a branch narrows the rows to an index range: such a condition, or an AND group holding one. */
function rangeable(node: FilterNode): boolean {
  if (node.type === "condition") return RANGE_FIELDS.has(node.field) && RANGE_OPS.has((node as { op?: string }).op ?? "");
  return node.op === "and" && !node.not && node.children.some(rangeable);
}

/**
 * A stats-driven count with an OR of index ranges (churn band high OR P(alive) < 0.3), as disjoint
 * parts: part i = the rest AND branch i AND NOT any earlier branch (IS NOT TRUE: SQL's NOT of an
 * unknown is unknown). A customer matching the OR is TRUE on some first branch, so it is counted in
 * exactly that part; the counts add up to the filter's. PostgreSQL cannot combine ranges of
 * different columns without visiting the table (a BitmapOr reads heap pages), so one OR over the
 * churn index is a walk of all of it with the OR checked row by row; each part instead reads its own
 * range. Null when the filter has no such OR.
 */
export function disjointParts(filter: SegmentFilter): SegmentFilter[] | null {
  if (filter.not) return null;
  const splittable = (n: FilterNode): boolean => n.type === "group" && n.op === "or" && !n.not && n.children.length > 1 && n.children.length <= MAX_SPLIT_BRANCHES && n.children.every(rangeable);
  const or = (splittable(filter) ? filter : filter.op === "and" ? filter.children.find(splittable) : undefined) as Group | undefined;
  if (!or) return null;
  const rest = or === filter ? [] : filter.children.filter((c) => c !== or);
  return or.children.map((branch, i) => ({
    type: "group",
    op: "and",
    // Branch first, then the earlier branches' complements (cheap comparisons on the same index
    // entries), then the rest: PostgreSQL keeps this order among equally cheap checks, so a tag
    // lookup only runs for the entries that survive them.
    children: [branch, ...or.children.slice(0, i).map((earlier): Group => ({ type: "group", op: "and", not: true, children: [earlier] })), ...rest],
  }));
}

/** `SELECT count(*)::int AS n …` of the members. */
export function segmentCountQuery(filter: SegmentFilter, ctx: SegmentContext): Prisma.Sql {
  // Everyone: the store's customers minus the (few) erased, both counted from indexes alone.
  if (filter.children.length === 0 && filter.op === "and" && !filter.not) {
    return Prisma.sql`SELECT ((SELECT count(*) FROM "Customer" WHERE "storeId" = ${ctx.storeId})
      - (SELECT count(*) FROM "Customer" WHERE "storeId" = ${ctx.storeId} AND "erasedAt" IS NOT NULL))::int AS n`;
  }
  // One action alone ("paid by boleto", "opened a message") or one "tagged any of": its customers
  // counted from its own rows (the partial indexes; CustomerTag's key) minus the erased (a hashed
  // list of the few erased ids), instead of walking every customer of the store to probe a hash of
  // them.
  const members = rfmMembers(filter, ctx);
  if (members) return Prisma.sql`SELECT count(*)::int AS n ${members}`;
  const only = soleCondition(filter);
  const rows =
    only?.type !== "condition" ? null
    : ACTION_FIELDS.has(only.field) ? actionRows(only as ActionCondition, ctx)
    : only.field === "tags" && only.op === "any"
      ? { from: Prisma.sql`"CustomerTag" t`, where: Prisma.sql`t."storeId" = ${ctx.storeId} AND t.tag = ANY(${[...new Set(lower(only.values))]}::text[])`, customerId: Prisma.sql`t."customerId"` }
      : null;
  if (rows) {
    return Prisma.sql`SELECT count(DISTINCT ${rows.customerId})::int AS n FROM ${rows.from} WHERE ${rows.where} AND ${rows.customerId} IS NOT NULL
      AND ${notErased(rows.customerId, ctx)}`;
  }
  const parts = isStatsDriven(filter) ? disjointParts(filter) : null;
  if (parts) {
    // Each part only narrows the filter, so it too is matched by customers with stats only.
    const counts = parts.map((part) => Prisma.sql`(SELECT count(*) ${statsFromWhere(part, ctx)})`);
    return Prisma.sql`SELECT (${Prisma.join(counts, " + ")})::int AS n`;
  }
  return Prisma.sql`SELECT count(*)::int AS n ${isStatsDriven(filter) ? statsFromWhere(filter, ctx) : segmentFromWhere(filter, ctx, { source: readsNoStats(filter) ? "customers" : "join" })}`;
}

export async function segmentContext(db: Db, storeId: number, now = new Date()): Promise<SegmentContext> {
  const store = await db.store.findUnique({ where: { id: storeId }, select: { timezone: true } });
  if (!store) throw new Error(`store ${storeId} does not exist`);
  return { storeId, timezone: store.timezone, now };
}

/**
 * The planner's cost of a random page read while counting. The default (4) models spinning disks
 * and makes PostgreSQL prefer a sequential scan of a wide table over a full index-only scan of a
 * narrow index, or an order-by-order probe of "Order_segment_counted_idx" for one product's lines;
 * the indexes a count reads are small and hot, so 1.1 (the usual SSD / cached value) fits them.
 * SET LOCAL: it ends with the count's own transaction.
 */
export const COUNT_RANDOM_PAGE_COST = "1.1";

/** One live-preview query, planned with COUNT_RANDOM_PAGE_COST. */
async function previewQuery<T>(db: Db, query: Prisma.Sql): Promise<T[]> {
  const [, rows] = await db.$transaction([db.$executeRaw`SELECT set_config('random_page_cost', ${COUNT_RANDOM_PAGE_COST}, true)`, db.$queryRaw<T[]>(query)]);
  return rows;
}

/** How many customers match. `filter` is validated here (SegmentFilterError with paths). */
export async function countSegment(db: Db, storeId: number, filter: unknown, now = new Date()): Promise<number> {
  const ctx = await segmentContext(db, storeId, now);
  const [row] = await previewQuery<{ n: number }>(db, segmentCountQuery(parseSegmentFilter(filter), ctx));
  return row!.n;
}

export interface SegmentSampleRow {
  id: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  city: string | null;
  province: string | null;
  ordersCount: number;
  revenueMinor: bigint;
  lastOrderAt: Date | null;
  rfmSegment: string | null;
}

const SAMPLE_COLUMNS = Prisma.sql`c.id, c."firstName", c."lastName", c.email, c.city, c.province,
  coalesce(s."ordersCount", 0)::int AS "ordersCount", coalesce(s."revenueMinor", 0)::bigint AS "revenueMinor", s."lastOrderAt", s."rfmSegment"`;

/**
 * Up to `n` matching customers, the best customers first (for the live preview): customers with
 * stats by total spent (then newest first), walking CustomerStats' (storeId, revenueMinor,
 * customerId) index backwards until `n` match, so a common filter stops after a few rows instead
 * of sorting all of its members; then, if fewer matched, customers without stats, newest first.
 */
export async function sampleSegment(db: Db, storeId: number, filter: unknown, n: number, now = new Date()): Promise<SegmentSampleRow[]> {
  const ctx = await segmentContext(db, storeId, now);
  const parsed = parseSegmentFilter(filter);
  const limit = Math.max(0, Math.min(100, Math.floor(n)));
  if (limit === 0) return [];
  const buyers = await previewQuery<SegmentSampleRow>(db, Prisma.sql`
    SELECT ${SAMPLE_COLUMNS} ${segmentFromWhere(parsed, ctx, { source: "buyers" })}
    ORDER BY s."revenueMinor" DESC, s."customerId" DESC LIMIT ${limit}`);
  if (buyers.length === limit) return buyers;
  const others = await previewQuery<SegmentSampleRow>(db, Prisma.sql`
    SELECT ${SAMPLE_COLUMNS} ${segmentFromWhere(parsed, ctx)} AND s."customerId" IS NULL
    ORDER BY c.id DESC LIMIT ${limit - buyers.length}`);
  return [...buyers, ...others];
}

/** Whether one customer matches (flow step conditions). False for another store's id or an erased customer. */
export async function customerMatches(db: Db, storeId: number, customerId: number, filter: unknown, now = new Date()): Promise<boolean> {
  const ctx = await segmentContext(db, storeId, now);
  const rows = await db.$queryRaw<{ ok: number }[]>(Prisma.sql`SELECT 1 AS ok ${segmentFromWhere(parseSegmentFilter(filter), ctx)} AND c.id = ${customerId} LIMIT 1`);
  return rows.length > 0;
}
