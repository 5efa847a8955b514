// Bulk load of normalised customers, orders and products (backfill, reconciliation): the same
// rows and rules as applyChanges (apply-batch.server.ts), written set-based for throughput.
//
// How: changes are collected in chunks (default 10,000 objects). Each chunk is COPYed into
// session-private temporary tables (no WAL, gone with the session), then merged into the real
// tables by a handful of INSERT … SELECT … ON CONFLICT statements in one transaction. While
// PostgreSQL merges chunk k, a second session takes chunk k+1's COPY and Node parses and
// normalises chunk k+2 (three chunks in memory at most); merges run one at a time, in order.
// Customer stats are refreshed once at the end, for every customer an applied order touched,
// instead of once per batch.
//
// The rules of applyChanges hold, statement for statement:
// - an older platformUpdatedAt never overwrites a newer one (the same guard in ON CONFLICT), so a
//   webhook processed meanwhile with newer data wins; within a chunk the newest copy of an object
//   is kept (later wins ties), as newestByKey does; a customer tie with the same content leaves
//   the row untouched (only our own updatedAt would change: the end state is the same);
// - an order creates its unknown customer (the embedded customer is upserted first) and keeps its
//   customerId/email when the newer payload has none. A Shopify bulk order names its customer by
//   id only (the customers phase loaded them): it is linked to that customer, whose row it never
//   writes; one the store does not have (created on Shopify after the customers phase's
//   operation) gets a bare row (platformId only), reported in unknownCustomers for the backfill
//   to fetch and write in full — normally none. An erased customer's orders still go to the
//   tombstone (no bare row re-creates them);
// - an applied order's lines are replaced, its payments upserted (createdAt kept, paid/boleto/Pix
//   details kept when the newer payload has none);
// - no `order.placed` Event row is written (applyBatch writes none either: the timeline and the
//   flows read orders from Order itself);
// - rows are locked in platformId order, customers before orders, as applyChanges does, so a
//   concurrent webhook batch waits rather than deadlocks; a deadlock or serialization failure
//   all the same is retried (the chunk is still in memory);
// - customers and orders believed new (a backfill's) are inserted without ON CONFLICT, in a
//   savepoint (orders with their lines and payments, one statement): one that exists after all (a
//   re-run, a webhook that came first) fails that insert with a unique violation, which rolls it
//   back and upserts the chunk by the rules above;
// - a chunk's embedded customers that the upsert would turn down (older, or the same content) are
//   dropped by a read-only probe first, so they are not even locked.
// Re-running after a crash is safe: temporary tables die with the connection, a chunk is one
// transaction, and every statement converges.
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { Readable } from "node:stream";
import { performance } from "node:perf_hooks";
import { pipeline } from "node:stream/promises";
import { poolOf, type Db } from "#app/db/client.server.ts";
import type { Column } from "#app/db/bulk-upsert.server.ts";
import type { NormalizedChange, NormalizedCustomer, NormalizedPayment } from "#app/core/types.ts";
import { customerColumns, lineColumns, orderColumns, paymentColumns, productColumns } from "./apply-batch.server.ts";
import { refreshCustomerStats } from "./customer-stats.server.ts";
import { pgErrorCode, retryOnConflict } from "#app/db/pg-errors.server.ts";
import { tombstoneSql } from "#app/core/privacy/tombstone.server.ts";
import { copyEscape, copyLine, stagingType } from "./copy-text.server.ts";
import { setBasedStatsSql } from "#app/core/sync/stats-rebuild.server.ts";
import type { ShopifyStatisticsStage } from "#app/core/analytics/shopify-rfm.server.ts";

export interface BulkLoadOptions {
  /** Objects (customers + orders + products) per chunk; default 10,000. */
  chunkSize?: number;
  /** Called after each chunk is committed, with the number of objects it held. */
  onCommitted?: (objects: number) => void | Promise<void>;
  /** Attempts per chunk on deadlock / serialization failure (default 5). */
  attempts?: number;
  /**
   * Turn off what is otherwise used when the server allows it (tests run the fallbacks with it):
   * skipping foreign-key triggers (needs the privilege) and RETURNING old.* (PostgreSQL 18+).
   */
  without?: { skipForeignKeyChecks?: boolean; returningOld?: boolean };
  /**
   * From this many touched customers on, their stats are rebuilt set-based, two statements side
   * by side (app/core/sync/stats-rebuild.server.ts), instead of per customer. Off by default (a
   * refresh of a few customers of a large store is cheaper per customer); a backfill turns it on
   * (BACKFILL_SET_BASED_STATS_FROM in app/jobs/shopify-backfill.server.ts, with the figures).
   */
  setBasedStatsFrom?: number;
  /**
   * Shopify's statistics queued by a backfill's customers phase (ShopifyStatisticsStage): taken
   * by the set-based rebuild and written into the same rows. Left queued for their owner to
   * write otherwise (a per-customer refresh).
   */
  shopifyStatistics?: Pick<ShopifyStatisticsStage, "peek" | "taken">;
  /**
   * Objects the source holds, when known (Shopify reports a completed operation's
   * rootObjectCount): a set-based rebuild's planner statistics and Shopify's statistics are then
   * gathered once REBUILD_PREPARED_AT of them are in, beside the last chunks' writes, rather than
   * after the last commit (~1 s of the tail at 1M orders).
   */
  expectedObjects?: number;
  /**
   * Sessions writing chunks (default 2). The merge of a chunk — the load's critical path: the
   * reader waits for it most of the time — needs the chunk COPYed into the session's staging
   * tables first (~6 µs of the loader's ~34 µs per order). With two sessions, chunk k+1 is COPYed
   * into one while chunk k is merged in the other; the merges themselves stay one at a time, in
   * chunk order (two merges side by side write the same index pages: +12 % of the loader's CPU,
   * measured at 1M orders). The first chunk goes alone (the planner statistics are taken before
   * and after it); the second session opens with the second chunk.
   */
  sessions?: number;
}

export interface BulkLoadResult {
  customers: number;
  orders: number;
  products: number;
  lines: number;
  /** Customers whose stats were refreshed. */
  statsRefreshed: number;
  /**
   * Customers the orders named by id only that the store did not have (created on Shopify after
   * the customers phase's operation ran): written as bare rows for their orders to link to, to be
   * fetched in full by the caller. Normally empty.
   */
  unknownCustomers: string[];
  /** Where the time went (ms): the reader waiting for the previous chunk's merge, the database
   * connection waiting for the next chunk, the final stats refresh. */
  waits: { forDatabase: number; forReader: number; stats: number };
}

// ------------------------------------------------------------------------------------------
// Staging tables: the real columns, with the foreign keys as platform ids
// ------------------------------------------------------------------------------------------

// Staging rows carry the parent's platform id instead of its (not yet known) database id. The
// column getters of apply-batch read only their own field, so they run on the bare normalised
// objects; the dropped column (customerId / orderId) is the one they would need the row type for.
function without<R>(columns: readonly Column<R>[], name: string): Column<unknown>[] {
  return columns.filter((c) => c.name !== name) as unknown as Column<unknown>[];
}

const STAGE = {
  customer: { table: "bl_customer", columns: customerColumns as unknown as Column<unknown>[], parent: null },
  product: { table: "bl_product", columns: productColumns as unknown as Column<unknown>[], parent: null },
  order: { table: "bl_order", columns: without(orderColumns, "customerId"), parent: "customerPid" },
  line: { table: "bl_line", columns: without(lineColumns, "orderId"), parent: "orderPid" },
  payment: { table: "bl_payment", columns: without(paymentColumns, "orderId"), parent: "orderPid" },
} as const;
type StageName = keyof typeof STAGE;

const q = (name: string) => `"${name}"`;

function createStagingSql(): string {
  const tables = Object.values(STAGE).map(({ table, columns, parent }) => {
    const cols = [...(parent ? [`${q(parent)} text`] : []), ...columns.map((c) => `${q(c.name)} ${stagingType(c.type)}`)];
    return `CREATE TEMP TABLE ${table} (${cols.join(", ")}) ON COMMIT DELETE ROWS;`;
  });
  return [
    ...tables,
    `CREATE TEMP TABLE bl_applied (id int, "platformId" text, inserted bool) ON COMMIT DELETE ROWS;`,
  ].join("\n");
}

function copySql(name: StageName): string {
  const { table, columns, parent } = STAGE[name];
  return `COPY ${table} (${[...(parent ? [parent] : []), ...columns.map((c) => c.name)].map(q).join(", ")}) FROM STDIN`;
}

interface MergeOptions {
  conflict: string[];
  guard?: string;
  keepWhenNull?: string[];
  insertOnly?: string[];
  /** SELECT expressions replacing `s."column"` (e.g. the customerId found by platform id). */
  exprs?: Record<string, string>;
  from: string;
  orderBy?: string;
  distinctOn?: string;
  returning?: string;
  /**
   * Leave a row alone when the staged copy holds exactly what it holds already (a tie on the
   * guard with the same content): no new row version, no index entries. A backfill sees every
   * customer again in each of its orders, as Shopify embeds the current customer in them.
   */
  skipUnchanged?: boolean;
  /**
   * A plain INSERT, no ON CONFLICT: for rows believed new (a backfill's orders). A row that exists
   * after all fails the statement with a unique violation on the conflict key; the caller then
   * runs the upsert instead. Saves the speculative insertion (a probe of the key, a second WAL
   * record per row) of INSERT … ON CONFLICT.
   */
  plain?: boolean;
}

/** INSERT … SELECT FROM staging … ON CONFLICT: bulkUpsertSql's statement with a table as source. $1 = storeId. */
function mergeSql(table: string, columns: readonly Column<never>[], opts: MergeOptions): string {
  const names = ["storeId", ...columns.map((c) => c.name)];
  const expr = new Map<string, string>([
    ["storeId", "$1::int"],
    ...columns.map((c): [string, string] => [c.name, opts.exprs?.[c.name] ?? (typeof c.type === "object" ? `s.${q(c.name)}::${q(c.type.enum)}` : `s.${q(c.name)}`)]),
  ]);
  const skip = new Set([...opts.conflict, ...(opts.insertOnly ?? [])]);
  const keep = new Set(opts.keepWhenNull ?? []);
  const t = q(table);
  const updates = names
    .filter((n) => !skip.has(n))
    .map((n) => (keep.has(n) ? `${q(n)} = COALESCE(EXCLUDED.${q(n)}, ${t}.${q(n)})` : `${q(n)} = EXCLUDED.${q(n)}`));
  updates.push(`"updatedAt" = now()`);
  const g = opts.guard ? q(opts.guard) : null;
  const changed = names.filter((n) => !skip.has(n));
  const where = [
    ...(g ? [`(${t}.${g} IS NULL OR EXCLUDED.${g} IS NULL OR EXCLUDED.${g} >= ${t}.${g})`] : []),
    ...(opts.skipUnchanged ? [`(${changed.map((n) => `${t}.${q(n)}`).join(", ")}) IS DISTINCT FROM (${changed.map((n) => `EXCLUDED.${q(n)}`).join(", ")})`] : []),
  ];
  // skipUnchanged: the rows the update's WHERE would turn down (an older copy, or a tie with the
  // same content) are dropped by a read-only probe first (a scalar subquery: one index probe per
  // staged row, never a join over the store's every row). ON CONFLICT … DO UPDATE … WHERE false
  // still locks the row it turns down (a new xmax on the page, a WAL record), for every customer
  // embedded in a chunk's orders; the WHERE stays for a row a concurrent writer changes meanwhile.
  const probe = opts.skipUnchanged && !opts.plain
    ? `WHERE (SELECT ${[
        ...(g ? [`(c.${g} IS NOT NULL AND ${expr.get(opts.guard!)!} IS NOT NULL AND ${expr.get(opts.guard!)!} < c.${g})`] : []),
        `(${changed.map((n) => `c.${q(n)}`).join(", ")}) IS NOT DISTINCT FROM (${changed.map((n) => expr.get(n)!).join(", ")})`,
      ].join(" OR ")} FROM ${t} c WHERE ${opts.conflict.map((n) => `c.${q(n)} = ${expr.get(n)!}`).join(" AND ")}) IS NOT TRUE`
    : "";
  return `INSERT INTO ${t} (${names.map(q).join(", ")}, "updatedAt")
SELECT ${opts.distinctOn ? `DISTINCT ON (${opts.distinctOn}) ` : ""}${names.map((n) => expr.get(n)!).join(", ")}, now() FROM ${opts.from}
${probe}
${opts.orderBy ? `ORDER BY ${opts.orderBy}` : ""}
${opts.plain ? "" : `ON CONFLICT (${opts.conflict.map(q).join(", ")}) DO UPDATE SET ${updates.join(", ")}`}
${where.length && !opts.plain ? `WHERE ${where.join(" AND ")}` : ""}
${opts.returning ? `RETURNING ${opts.returning}` : ""}`;
}

// The statements of one chunk, in applyBatch's order. Sorting by platformId in the "C" collation
// is JavaScript's string order, the order applyBatch locks rows in.
const CUSTOMER_MERGE: MergeOptions = {
  conflict: ["storeId", "platformId"],
  guard: "platformUpdatedAt",
  skipUnchanged: true,
  from: "bl_customer s",
  orderBy: `s."platformId" COLLATE "C"`,
};
const MERGE_CUSTOMERS = mergeSql("Customer", customerColumns, CUSTOMER_MERGE);
const INSERT_CUSTOMERS = mergeSql("Customer", customerColumns, { ...CUSTOMER_MERGE, plain: true });
// What the Customer and Order triggers keep (segments' CustomerTag rows, the dashboard's dirty
// days: migrations 20261123201000 and 20261123201742), written set-based by the merge statements
// themselves when the chunk runs with session_replication_role = replica (which skips every
// ordinary trigger, not only the foreign-key ones). Same rules as the trigger functions: an
// inserted row marks its day and writes its lower-cased tags; an updated row marks its old and new
// day when a column the daily totals read changed, and moves its tags from the old set to the new.
// Needs RETURNING old.* (PostgreSQL 18+): without it the triggers are left on.
const DAY = (at: string) => `((${at} AT TIME ZONE 'UTC') AT TIME ZONE st.timezone)::date`;
const LOWER_TAGS = (tags: string) => `ARRAY(SELECT DISTINCT lower(x) FROM unnest(${tags}) x WHERE x IS NOT NULL)`;
/** The customers upsert, keeping CustomerTag and the dashboard's marks (part 3: new customers). `plain`: MergeOptions.plain. */
const customersKeptSql = (plain: boolean) => `WITH w AS (${mergeSql("Customer", customerColumns, {
  ...CUSTOMER_MERGE,
  plain,
  returning: `id, old.id IS NULL AS inserted, CASE WHEN old.tags IS DISTINCT FROM new.tags THEN ${LOWER_TAGS("new.tags")} END AS tags,
  CASE WHEN old.id IS NOT NULL AND old.tags IS DISTINCT FROM new.tags THEN ${LOWER_TAGS("old.tags")} END AS "oldTags",
  CASE WHEN old.id IS NULL OR (old."platformCreatedAt", old."createdAt", old."erasedAt") IS DISTINCT FROM (new."platformCreatedAt", new."createdAt", new."erasedAt")
    THEN ARRAY[coalesce(new."platformCreatedAt", new."createdAt"), coalesce(old."platformCreatedAt", old."createdAt")] END AS days`,
})}),
untag AS (DELETE FROM "CustomerTag" t USING w WHERE w."oldTags" IS NOT NULL AND t."storeId" = $1 AND t."customerId" = w.id AND t.tag = ANY (w."oldTags") AND t.tag <> ALL (w.tags)),
tag AS (INSERT INTO "CustomerTag" ("storeId", tag, "customerId") SELECT $1, x, w.id FROM w, unnest(w.tags) x
  WHERE w.tags IS NOT NULL AND x <> ALL (coalesce(w."oldTags", '{}')) ON CONFLICT DO NOTHING)
INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
SELECT DISTINCT $1::int, 3::smallint, ${DAY("d.at")} FROM w CROSS JOIN unnest(w.days) d(at) JOIN "Store" st ON st.id = $1 WHERE d.at IS NOT NULL`;
const MERGE_CUSTOMERS_KEPT = customersKeptSql(false);
const INSERT_CUSTOMERS_KEPT = customersKeptSql(true);
const MERGE_PRODUCTS = mergeSql("Product", productColumns, {
  conflict: ["storeId", "platformId"],
  guard: "platformUpdatedAt",
  from: "bl_product s",
  orderBy: `s."platformId" COLLATE "C"`,
});
/**
 * The customers a chunk's orders name (`customer { id }`: the bulk orders query) that the store
 * does not have: created bare (platformId only; every other column is nullable or has a default,
 * and platformUpdatedAt null lets any real version overwrite it) so the orders link to them, in
 * platformId order like every customer write. Answers their platform ids, for the backfill to
 * fetch them in full (normally none: the customers phase loaded them all). Erased customers'
 * orders were pointed at their tombstone row before (SKIP_ERASED), which exists: none is re-created.
 * `markDays`: the dashboard's mark of a new customer (part 3, its createdAt day), as the skipped
 * trigger would write.
 */
function insertUnknownCustomersSql(markDays: boolean): string {
  const insert = `INSERT INTO "Customer" ("storeId", "platformId", "updatedAt")
SELECT $1::int, r.pid, now() FROM (SELECT DISTINCT s."customerPid" AS pid FROM bl_order s WHERE s."customerPid" IS NOT NULL) r
WHERE NOT EXISTS (SELECT 1 FROM "Customer" c WHERE c."storeId" = $1 AND c."platformId" = r.pid)
ORDER BY r.pid COLLATE "C"
ON CONFLICT ("storeId", "platformId") DO NOTHING
RETURNING "platformId", "createdAt"`;
  if (!markDays) return `WITH w AS (${insert}) SELECT "platformId" FROM w`;
  return `WITH w AS (${insert}),
d AS (INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
SELECT DISTINCT $1::int, 3::smallint, ${DAY(`w."createdAt"`)} FROM w JOIN "Store" st ON st.id = $1)
SELECT "platformId" FROM w`;
}

// Lookups into the real tables are written as per-row index probes (LATERAL, scalar subquery,
// = ANY): with a join, the planner — whose statistics lag far behind a table being filled — may
// read every row of the store once per chunk, which makes a large backfill quadratic.

// The previous customer of each order, in case a newer version moved it to someone else: from
// RETURNING old.* on PostgreSQL 18+, else looked up before the upsert.
const TOUCH_PREVIOUS = `SELECT DISTINCT o."customerId" FROM bl_order s
CROSS JOIN LATERAL (SELECT "customerId" FROM "Order" WHERE "storeId" = $1 AND "platformId" = s."platformId") o
WHERE o."customerId" IS NOT NULL`;
/** The columns the dashboard's order trigger compares (an update elsewhere marks no day). */
const ORDER_DAY_COLUMNS = ["placedAt", "totalMinor", "refundedMinor", "cancelledAt", "deletedAt", "test", "financialStatus"].map(q);
/**
 * The orders upsert; answers how many existing orders it updated (their lines need replacing).
 * `markDays`: also mark the dashboard's dirty days (part 1), as the skipped trigger would.
 * `plain`: a plain INSERT for a chunk of orders believed new (MergeOptions.plain), with their lines
 * and payments in the same statement (from RETURNING, not through bl_applied: their orders were
 * inserted just now, so neither can exist yet — a payment id seen under another order fails it
 * with a unique violation like an existing order does, and the chunk is upserted instead).
 */
function mergeOrdersSql(returningOld: boolean, markDays: boolean, plain = false): string {
  // A plain insert's orders are all new: their day is their placedAt (no array to build and unnest).
  const days = plain
    ? `"placedAt"`
    : `CASE WHEN old.id IS NULL OR (${ORDER_DAY_COLUMNS.map((c) => `old.${c}`).join(", ")}) IS DISTINCT FROM (${ORDER_DAY_COLUMNS.map((c) => `new.${c}`).join(", ")})
    THEN ARRAY[new."placedAt", old."placedAt"] END`;
  const previous = returningOld && !plain ? `old."customerId"` : "NULL::int";
  const upsert = mergeSql("Order", orderColumns, {
    plain,
    conflict: ["storeId", "platformId"],
    guard: "platformUpdatedAt",
    keepWhenNull: ["customerId", "email"],
    exprs: { customerId: `(SELECT c.id FROM "Customer" c WHERE c."storeId" = $1 AND c."platformId" = s."customerPid")` },
    from: "bl_order s",
    orderBy: `s."platformId" COLLATE "C"`,
    returning: `id, "platformId", ${plain ? "true" : "(xmax = 0)"} AS inserted, "customerId", ${previous} AS previous${markDays ? `, ${days} AS days` : ""}`,
  });
  const mark = markDays
    ? `, d AS (INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
SELECT DISTINCT $1::int, 1::smallint, ${DAY("d.at")} FROM ${plain ? "(SELECT days FROM w) d(at)" : "w CROSS JOIN unnest(w.days) d(at)"} JOIN "Store" st ON st.id = $1 WHERE d.at IS NOT NULL)`
    : "";
  // The customers whose stats need a refresh, straight from RETURNING (no second pass over the
  // applied orders), answered as an int array for the loader to gather (BulkLoader's touched set:
  // no table of them to deduplicate after the last chunk, ~0.45 s at 1M orders).
  const touched = plain
    ? `SELECT DISTINCT "customerId" FROM w WHERE "customerId" IS NOT NULL`
    : `SELECT DISTINCT c FROM w, LATERAL (VALUES (w."customerId"), (w.previous)) v(c) WHERE c IS NOT NULL`;
  if (plain) {
    return `WITH w AS (${upsert}), l AS (${insertLinesSql("w")}), p AS (${insertPaymentsSql("w")}),
touched AS (${touched})${mark}
SELECT 0 AS updated, (SELECT coalesce(array_agg("customerId"), '{}') FROM touched)::text AS touched`;
  }
  return `WITH w AS (${upsert}), a AS (INSERT INTO bl_applied SELECT id, "platformId", inserted FROM w RETURNING inserted),
touched AS (${touched})${mark}
SELECT count(*) FILTER (WHERE NOT inserted)::int AS updated, (SELECT coalesce(array_agg(c), '{}') FROM touched)::text AS touched FROM a`;
}
// Lines of orders inserted just now cannot exist yet: only updated orders need the delete.
const DELETE_LINES = `DELETE FROM "OrderLine" WHERE "storeId" = $1 AND "orderId" = ANY($2::int[])`;
/** The staged lines of the applied orders (`applied`: a relation of id, platformId). */
function insertLinesSql(applied: string): string {
  return `INSERT INTO "OrderLine" ("storeId", "orderId", ${STAGE.line.columns.map((c) => q(c.name)).join(", ")})
SELECT $1::int, a.id, ${STAGE.line.columns.map((c) => `s.${q(c.name)}`).join(", ")} FROM bl_line s JOIN ${applied} a ON a."platformId" = s."orderPid"`;
}
const INSERT_LINES = insertLinesSql("bl_applied");
const PAYMENT_MERGE: MergeOptions = {
  conflict: ["storeId", "platformId"],
  insertOnly: ["createdAt"],
  keepWhenNull: ["paidAt", "boletoUrl", "boletoBarcode", "pixCode", "dueAt"],
  exprs: { orderId: "a.id" },
  from: `bl_payment s JOIN bl_applied a ON a."platformId" = s."orderPid"`,
  orderBy: `s."platformId" COLLATE "C"`,
};
const MERGE_PAYMENTS = mergeSql("Payment", paymentColumns, PAYMENT_MERGE);
/** The payments of orders inserted just now (mergeOrdersSql's plain form): they cannot exist yet either. */
function insertPaymentsSql(applied: string): string {
  return mergeSql("Payment", paymentColumns, { ...PAYMENT_MERGE, plain: true, from: `bl_payment s JOIN ${applied} a ON a."platformId" = s."orderPid"` });
}

// Erased customers (app/core/privacy) are never re-created: staged rows with a tombstoned platform
// id are dropped, their orders linked to the anonymous row and stripped like applyBatch does.
// Run only for stores that have erased someone.
const SKIP_ERASED: [sql: string, usesStore: boolean][] = [
  [`DELETE FROM bl_customer s WHERE EXISTS (SELECT 1 FROM "Customer" c WHERE c."storeId" = $1 AND c."platformId" = ${tombstoneSql("$1::int", `s."platformId"`)})`, true],
  [
    `UPDATE bl_order s SET "customerPid" = c."platformId", email = NULL, "landingSite" = NULL, "referringSite" = NULL, tags = '{}'
FROM "Customer" c WHERE c."storeId" = $1 AND c."platformId" = ${tombstoneSql("$1::int", `s."customerPid"`)}`,
    true,
  ],
  [`UPDATE bl_payment p SET "boletoUrl" = NULL, "boletoBarcode" = NULL, "pixCode" = NULL FROM bl_order s WHERE p."orderPid" = s."platformId" AND s."customerPid" LIKE 'erased:%'`, false],
];

// ------------------------------------------------------------------------------------------
// Chunks
// ------------------------------------------------------------------------------------------

/** A row already encoded for COPY, with the platform updated_at that decides which copy wins. */
interface Encoded {
  at: number;
  text: string;
}
interface EncodedOrder extends Encoded {
  lines: string;
  lineCount: number;
  payments: [platformId: string, text: string][];
}

/** Newest by platformUpdatedAt (null = oldest), later wins ties: newestByKey's rule, applied as objects arrive. */
function isNewer(map: Map<string, Encoded>, platformId: string, at: number): boolean {
  const prev = map.get(platformId);
  return !prev || at >= prev.at;
}

/**
 * A change already encoded as COPY text: what a chunk keeps of it. Plain strings and numbers, so
 * it crosses a thread boundary cheaply (the backfill parses and encodes in a worker thread).
 */
export type EncodedChange =
  | { kind: "customer" | "product"; platformId: string; at: number; text: string }
  | {
      kind: "order";
      platformId: string;
      at: number;
      text: string;
      lines: string;
      lineCount: number;
      payments: [platformId: string, text: string][];
      customer: { platformId: string; at: number; text: string } | null;
    };

function encodeCustomer(c: NormalizedCustomer): { platformId: string; at: number; text: string } {
  return { platformId: c.platformId, at: c.platformUpdatedAt?.getTime() ?? 0, text: copyLine(STAGE.customer.columns, c) };
}

/**
 * The staging tables' column names, in COPY order (order, line and payment lines start with the
 * parent's platform id): for an encoder that writes these lines without encodeChange
 * (adapters/shopify/bulk-encode.ts checks its layout against this).
 */
export const STAGED_COLUMNS = {
  customer: STAGE.customer.columns.map((c) => c.name),
  order: STAGE.order.columns.map((c) => c.name),
  line: STAGE.line.columns.map((c) => c.name),
} as const;

/** A payment's staging line (after the order's escaped platform id), as encodeChange writes it. */
export function encodePaymentLine(payment: NormalizedPayment, orderPid: string): string {
  return copyLine(STAGE.payment.columns, payment, orderPid);
}

/** The COPY text of a customer, order or product upsert (other changes go through applyChanges). */
export function encodeChange(change: NormalizedChange): EncodedChange {
  switch (change.kind) {
    case "customer.upsert":
      return { kind: "customer", ...encodeCustomer(change.customer) };
    case "product.upsert": {
      const p = change.product;
      return { kind: "product", platformId: p.platformId, at: p.platformUpdatedAt?.getTime() ?? 0, text: copyLine(STAGE.product.columns, p) };
    }
    case "order.upsert": {
      const o = change.order;
      const orderPid = copyEscape(o.platformId);
      return {
        kind: "order",
        platformId: o.platformId,
        at: o.platformUpdatedAt?.getTime() ?? 0,
        text: copyLine(STAGE.order.columns, o, o.customer ? copyEscape(o.customer.platformId) : o.customerRef !== undefined ? copyEscape(o.customerRef) : "\\N"),
        lines: o.lines.map((l) => copyLine(STAGE.line.columns, l, orderPid)).join(""),
        lineCount: o.lines.length,
        payments: o.payments.map((p) => [p.platformId, copyLine(STAGE.payment.columns, p, orderPid)]),
        customer: o.customer ? encodeCustomer(o.customer) : null,
      };
    }
    default:
      throw new Error(`bulk load takes customer, order and product upserts; ${change.kind} goes through applyChanges`);
  }
}

/**
 * One chunk, held as COPY text (encoded as objects arrive): a few flat strings per object rather
 * than the normalised object graphs, so the two chunks in memory stay small and cheap to collect.
 */
class Chunk {
  readonly customers = new Map<string, Encoded>();
  readonly orders = new Map<string, EncodedOrder>();
  readonly products = new Map<string, Encoded>();
  /** Objects added (the progress unit), duplicates included. */
  objects = 0;
  lines = 0;

  add(e: EncodedChange): void {
    switch (e.kind) {
      case "customer":
        this.keep(this.customers, e.platformId, e.at, e.text);
        break;
      case "product":
        this.keep(this.products, e.platformId, e.at, e.text);
        break;
      case "order":
        this.addOrder(e);
        if (e.customer) this.keep(this.customers, e.customer.platformId, e.customer.at, e.customer.text);
        break;
    }
    this.objects++;
  }

  private keep(map: Map<string, Encoded>, platformId: string, at: number, text: string): void {
    if (isNewer(map, platformId, at)) map.set(platformId, { at, text });
  }

  private addOrder(o: Extract<EncodedChange, { kind: "order" }>): void {
    if (!isNewer(this.orders, o.platformId, o.at)) return;
    const prev = this.orders.get(o.platformId);
    if (prev) this.lines -= prev.lineCount;
    this.lines += o.lineCount;
    this.orders.set(o.platformId, { at: o.at, text: o.text, lines: o.lines, lineCount: o.lineCount, payments: o.payments });
  }

  /** COPY text per staging table, in pieces of about 1 MB. */
  encode(): Record<StageName, string[]> {
    const out: Record<StageName, string[]> = { customer: [], product: [], order: [], line: [], payment: [] };
    const pending: Record<StageName, string[]> = { customer: [], product: [], order: [], line: [], payment: [] };
    const size: Record<StageName, number> = { customer: 0, product: 0, order: 0, line: 0, payment: 0 };
    const push = (name: StageName, text: string) => {
      pending[name].push(text);
      size[name] += text.length;
      if (size[name] > 1 << 20) {
        out[name].push(pending[name].join(""));
        pending[name] = [];
        size[name] = 0;
      }
    };
    for (const c of this.customers.values()) push("customer", c.text);
    for (const p of this.products.values()) push("product", p.text);
    const payments = new Map<string, string>(); // payment platformId → line; later wins (newestByKey without dates)
    for (const o of this.orders.values()) {
      push("order", o.text);
      if (o.lines) push("line", o.lines);
      for (const [platformId, text] of o.payments) {
        payments.delete(platformId);
        payments.set(platformId, text);
      }
    }
    for (const text of payments.values()) push("payment", text);
    for (const name of Object.keys(pending) as StageName[]) if (pending[name].length) out[name].push(pending[name].join(""));
    return out;
  }
}

/**
 * Whether this session may set session_replication_role (superuser, or the SET privilege since
 * PostgreSQL 15): then the merge skips the per-row foreign-key triggers, which cost more than
 * the inserts themselves (half of the merge time, measured). Every key the merge writes is valid
 * by construction and locked by the same transaction: storeId (the Store row, locked FOR KEY
 * SHARE first), customerId (customers upserted — so locked — earlier in the transaction, or the
 * order's existing, locked, value), orderId (orders upserted in the transaction). Deletions made
 * by other sessions keep their own checks and cascades. Without the privilege, the checks run.
 * The role skips every ordinary trigger, so the merge writes what the Customer and Order triggers
 * would have (MERGE_CUSTOMERS_KEPT, mergeOrdersSql's markDays); only with RETURNING old.*.
 */
async function mayDisableTriggers(client: pg.Client): Promise<boolean> {
  try {
    await client.query("SET session_replication_role = replica");
    await client.query("RESET session_replication_role");
    return true;
  } catch {
    return false;
  }
}

/**
 * ANALYZE of the tables the merge and the stats refresh read. With statistics from before this
 * store had rows, the planner estimates one row for `"storeId" = $1` and picks plans that read
 * every row of the store per probe: Customer through (storeId, province, city) for each order
 * (measured: 1.3 ms per order at 77,000 customers), or a stats refresh of 12 s per 5,000
 * customers. Large loads only (a full chunk): before their first chunk (the previous phase
 * filled Customer), after it, and before the stats refresh. Best effort: without the privilege,
 * autovacuum's statistics are used. The merge probes rows by (storeId, platformId), the stats
 * refresh customers by (storeId, id): the statistics of those columns (MERGE_KEYS) are enough, and cost a ninth of a whole table's
 * (measured on 79,000 customers: 65 against 585 ms of CPU; the wide columns — addresses, tags,
 * the search trigrams — are the expensive ones). Autovacuum analyses the rest later.
 */
const MERGE_KEYS = `("storeId", "platformId", id)`;
async function refreshPlannerStatistics(client: pg.Client, tables = `"Customer" ${MERGE_KEYS}, "Order" ${MERGE_KEYS}`): Promise<void> {
  await client.query(`ANALYZE ${tables}`).catch(() => undefined);
}

/**
 * Statistics for the set-based stats rebuild's plan, on a pooled connection (the loader's own is
 * writing the last chunks meanwhile): only the columns it joins, filters and groups on. OrderLine
 * has none until then (the loader analyses Customer and Order only), and without them the planner
 * probes the lines of each counted order through an index: +60 % for the aggregation (200k orders,
 * EXPLAIN ANALYZE). All columns of both tables cost 2.8 s after the last chunk at 1M orders; these,
 * about half, beside the last chunks. Best effort, as refreshPlannerStatistics.
 */
async function analyseForStatsRebuild(db: Db): Promise<void> {
  const conn = await poolOf(db).connect().catch(() => null);
  if (!conn) return; // the rebuild reports a database that is gone
  try {
    await conn.query(`ANALYZE "Order" ("storeId", "customerId", id, "financialStatus", "cancelledAt", "deletedAt", test), "OrderLine" ("storeId", "orderId", category, "productId")`);
    conn.release();
  } catch (e) {
    conn.release(e as Error);
  }
}
/** The ints of a PostgreSQL array literal ("{1,2,3}"). */
function parseIntArray(literal: string): number[] {
  const body = literal.slice(1, -1);
  return body ? body.split(",").map(Number) : [];
}

/**
 * The customers one range of the set-based rebuild names (setBasedStatsSql's namedMerged): the
 * touched ones of the range and those with Shopify statistics between lo and hi, both sorted,
 * merged into one sorted list without duplicates.
 */
export function namedIds(touched: readonly number[], shopify: readonly number[], lo: number, hi: number): number[] {
  const out: number[] = [];
  let j = 0;
  while (j < shopify.length && shopify[j]! < lo) j++;
  const push = (id: number) => {
    if (out.length === 0 || out[out.length - 1]! < id) out.push(id);
  };
  for (const id of touched) {
    for (; j < shopify.length && shopify[j]! <= hi && shopify[j]! <= id; j++) push(shopify[j]!);
    push(id);
  }
  for (; j < shopify.length && shopify[j]! <= hi; j++) push(shopify[j]!);
  return out;
}

/** A SET LOCAL the session may not be allowed to make: false (and nothing changed) then. */
async function trySetLocal(conn: pg.PoolClient, name: string, value: string): Promise<boolean> {
  await conn.query("SAVEPOINT bl_set");
  try {
    await conn.query(`SET LOCAL ${name} = ${value}`);
    await conn.query("RELEASE SAVEPOINT bl_set");
    return true;
  } catch {
    await conn.query("ROLLBACK TO SAVEPOINT bl_set");
    return false;
  }
}
const MAX_ID = 2 ** 31 - 1;
/** A plain INSERT in a savepoint: false (and nothing written) when a CustomerStats row it would write exists. */
async function tryPlain(conn: pg.PoolClient, sql: string, params: unknown[]): Promise<boolean> {
  await conn.query("SAVEPOINT bl_plain");
  try {
    await conn.query(sql, params);
    await conn.query("RELEASE SAVEPOINT bl_plain");
    return true;
  } catch (e) {
    if (pgErrorCode(e) !== "23505" || (e as { constraint?: unknown }).constraint !== "CustomerStats_pkey") throw e;
    await conn.query("ROLLBACK TO SAVEPOINT bl_plain");
    return false;
  }
}
/**
 * The set-based rebuild's session: hash aggregates in memory, and no nested loop (the statement is
 * meant as hash joins over the store's orders and lines; with missing statistics a nested loop of
 * index probes per order was chosen: +60 % for the aggregation, against +12 % for hash joins
 * planned without any statistics).
 */
const STATS_REBUILD_SETTINGS = "SET LOCAL work_mem = '256MB'; SET LOCAL enable_nestloop = off";

/**
 * Share of the expected objects added from which the rebuild's statistics are gathered. The
 * planner scales the sampled row counts by the table's size when it plans, so 90 % of the rows
 * give the same estimates; ANALYZE took 0.9–1.4 s at 1M orders beside two chunk writes.
 */
const REBUILD_PREPARED_AT = 0.9;
/** Objects between two pauses for I/O while a chunk is being filled. */
const YIELD_EVERY = 50;
/** Touched customers from which their stats are rebuilt set-based (BulkLoadOptions.setBasedStatsFrom): off. */
const SET_BASED_STATS_FROM = Number.POSITIVE_INFINITY;
/** Prisma's interactive transactions time out after 5 s by default: a range of a large store may take longer. */
const STATS_TRANSACTION = { timeout: 15 * 60_000, maxWait: 60_000 };
/** Customers per stats refresh statement (a short transaction each). */
const STATS_SLICE = 5000;

// ------------------------------------------------------------------------------------------
// The loader
// ------------------------------------------------------------------------------------------

export interface BulkLoader {
  /** Queue a change; when a chunk is full, returns a promise to await (back-pressure), else undefined. */
  add(change: NormalizedChange): Promise<void> | undefined;
  /** The same for a change already encoded (encodeChange, e.g. in a worker thread). */
  addEncoded(change: EncodedChange): Promise<void> | undefined;
  /** Write what is left, wait for every chunk, refresh the stats of touched customers. */
  finish(): Promise<BulkLoadResult>;
  /** Release the connection (also after an error). */
  close(): Promise<void>;
}

/**
 * Opens a bulk load for one store on its own connection (temporary tables are per session).
 * `db` is used only for the customer stats refresh at the end (customer-stats.server.ts).
 */
export async function openBulkLoad(services: { db: Db; databaseUrl: string }, storeId: number, opts: BulkLoadOptions = {}): Promise<BulkLoader> {
  if (!Number.isInteger(storeId) || storeId <= 0) throw new Error(`bulk load: invalid store id ${storeId}`);
  const chunkSize = opts.chunkSize ?? 10_000;
  const attempts = opts.attempts ?? 5;
  const sessionsWanted = Math.max(1, opts.sessions ?? 2);
  /** A connection with its temporary staging tables (temporary tables are per session). */
  async function openSession(): Promise<pg.Client> {
    const conn = new pg.Client({ connectionString: services.databaseUrl, application_name: "caderninho-bulk-load" });
    conn.on("error", () => undefined); // surfaced by the next query instead of crashing the process
    await conn.connect();
    try {
      // Temporary tables live in the session's local buffers (default 8 MB): give a chunk room.
      await conn.query("SET temp_buffers = '256MB'");
      await conn.query(createStagingSql());
    } catch (e) {
      await conn.end().catch(() => undefined);
      throw e;
    }
    return conn;
  }
  const client = await openSession();
  let skipForeignKeyChecks = false;
  let returningOld = false;
  let hasErased = false;
  /** Customer's GIN indexes (search trigrams, tags): their pending lists are flushed per chunk. */
  let customerGinIndexes: string[] = [];
  try {
    const { rows } = await client.query<{ version: number }>("SELECT current_setting('server_version_num')::int AS version");
    returningOld = !opts.without?.returningOld && rows[0]!.version >= 180000;
    // The triggers' work is done by the merge statements from RETURNING old.*: without it, they run.
    skipForeignKeyChecks = !opts.without?.skipForeignKeyChecks && returningOld && (await mayDisableTriggers(client));
    const erased = await client.query(`SELECT 1 FROM "Customer" WHERE "storeId" = $1 AND "erasedAt" IS NOT NULL LIMIT 1`, [storeId]);
    hasErased = (erased.rowCount ?? 0) > 0;
    const gin = await client.query<{ index: string }>(
      `SELECT indexrelid::regclass::text AS index FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
       WHERE i.indrelid = '"Customer"'::regclass AND am.amname = 'gin' AND pg_has_role(c.relowner, 'MEMBER')`, // flushing needs ownership
    );
    customerGinIndexes = gin.rows.map((r) => r.index);
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  /** Every session opened, and those not writing a chunk now. */
  const sessions: pg.Client[] = [client];
  const idle: pg.Client[] = [client];

  const result: BulkLoadResult = { customers: 0, orders: 0, products: 0, lines: 0, statsRefreshed: 0, unknownCustomers: [], waits: { forDatabase: 0, forReader: 0, stats: 0 } };
  /** When the last chunk's write finished and left no other under way. */
  let writtenAt: number | null = null;
  const insertUnknownCustomers = insertUnknownCustomersSql(skipForeignKeyChecks);
  const mergeOrders = mergeOrdersSql(returningOld, skipForeignKeyChecks);
  const insertOrders = mergeOrdersSql(returningOld, skipForeignKeyChecks, true);
  /**
   * Whether the next chunk's orders are tried as new first (a plain INSERT, MergeOptions.plain):
   * a backfill's are, until one is found to exist; from then on upserts, until a chunk of upserts
   * inserts every order (a re-run that went past where the previous run stopped).
   */
  let ordersLookNew = true;
  const mergeCustomers = skipForeignKeyChecks ? MERGE_CUSTOMERS_KEPT : MERGE_CUSTOMERS;
  const insertCustomers = skipForeignKeyChecks ? INSERT_CUSTOMERS_KEPT : INSERT_CUSTOMERS;
  /**
   * The same for customers: the customers phase's are new (a plain insert; the probe of
   * MergeOptions.skipUnchanged would only cost), the orders phase's embedded ones mostly known
   * (its first chunk finds one and switches to the upsert for good).
   */
  let customersLookNew = true;
  let current = new Chunk();
  let chunksWritten = 0;
  /** Customers whose stats the committed chunks' orders touched (refreshed by finish). */
  const touchedCustomers = new Set<number>();
  /** Chunk writes under way (at most one per session), and the first that failed. */
  const writing = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  /**
   * Resolves when the last chunk handed to a session has merged (or given up): chunks are COPYed
   * into their session's staging tables side by side, but merged one after another, in order.
   */
  let mergeTail: Promise<void> = Promise.resolve();
  /** Resolves when the last chunk handed out has been reported (onCommitted), for the next to follow. */
  let reportTail: Promise<void> = Promise.resolve();
  let closed = false;

  async function copyInto(client: pg.Client, name: StageName, pieces: string[]): Promise<void> {
    if (!pieces.length) return;
    await pipeline(Readable.from(pieces), client.query(copyFrom(copySql(name))));
  }

  /** A plain INSERT in a savepoint: its result, or null (and nothing written) when a row with one of those keys exists. */
  async function tryInsert(client: pg.Client, sql: string, ...keys: string[]): Promise<pg.QueryResult | null> {
    await client.query("SAVEPOINT bl_plain");
    try {
      const result = await client.query(sql, [storeId]);
      await client.query("RELEASE SAVEPOINT bl_plain");
      return result;
    } catch (e) {
      if (pgErrorCode(e) !== "23505" || !keys.includes((e as { constraint?: string }).constraint ?? "")) throw e;
      await client.query("ROLLBACK TO SAVEPOINT bl_plain");
      return null;
    }
  }

  /**
   * Writes one chunk in one transaction; answers the unknown customers it created
   * (BulkLoadResult.unknownCustomers) and the customers whose stats its orders touched. The COPY
   * into the staging tables runs at once; the merge waits for `turn` (the previous chunk's merge).
   */
  async function writeOnce(client: pg.Client, chunk: Chunk, encoded: Record<StageName, string[]>, turn: Promise<void>): Promise<{ unknown: string[]; touched: number[][] }> {
    const params = [storeId];
    let unknown: string[] = [];
    const touched: number[][] = [];
    await client.query("BEGIN");
    try {
      // Sorts of a whole chunk in memory rather than in temporary files. No wait for the WAL
      // flush at commit: the progress update that follows each chunk (an ordinary commit)
      // flushes the WAL past this commit anyway, so progress never claims a chunk a server
      // crash could lose; a chunk lost before that is written again when the backfill is re-run.
      // GIN indexes (Customer's search trigrams and tags) gather new entries in a pending list,
      // merged into the index whenever it outgrows gin_pending_list_limit (4 MB): a chunk's
      // customers fill it several times. One larger list, merged once at the end of the chunk,
      // costs a quarter less per customer on the trigram index (bench/backfill.bench.ts, index
      // maintenance table) and leaves no long list for other sessions' searches or inserts.
      await client.query("SET LOCAL work_mem = '64MB'; SET LOCAL synchronous_commit = off; SET LOCAL gin_pending_list_limit = '64MB'");
      if (skipForeignKeyChecks) {
        // The store cannot go away before this commits (its deletion waits, then cascades).
        const store = await client.query(`SELECT 1 FROM "Store" WHERE id = $1 FOR KEY SHARE`, params);
        if (!store.rowCount) throw new Error(`bulk load: store ${storeId} does not exist`);
        await client.query("SET LOCAL session_replication_role = replica");
      }
      for (const name of Object.keys(encoded) as StageName[]) await copyInto(client, name, encoded[name]);
      if (hasErased) for (const [sql, usesStore] of SKIP_ERASED) await client.query(sql, usesStore ? params : []);
      // Merges one at a time, in chunk order: two merges side by side share the same index pages
      // (+12 % of the loader's CPU measured), and a later copy of an object still wins ties.
      await turn;
      // An earlier chunk failed: this one is not merged either, so what is committed stays the
      // chunks before the failure (as with one session), and the load fails with the first error.
      if (failure) throw new Error("bulk load: an earlier chunk failed");
      if (chunk.customers.size && !(customersLookNew && (await tryInsert(client, insertCustomers, "Customer_storeId_platformId_key")) !== null)) {
        customersLookNew = false;
        await client.query(mergeCustomers, params);
      }
      if (chunk.products.size) await client.query(MERGE_PRODUCTS, params);
      if (chunk.orders.size) {
        const created = await client.query<{ platformId: string }>(insertUnknownCustomers, params);
        unknown = created.rows.map((r) => r.platformId);
        if (!returningOld) touched.push((await client.query<{ customerId: number }>(TOUCH_PREVIOUS, params)).rows.map((r) => r.customerId));
        // Orders believed new are inserted plainly with their lines and payments, in a savepoint:
        // one that exists after all (a re-run, a webhook that came first, even one committed a
        // moment ago) fails the insert with a unique violation on the platform id — as does a
        // payment id seen under another order — and the chunk is upserted instead.
        const inserted = ordersLookNew ? await tryInsert(client, insertOrders, "Order_storeId_platformId_key", "Payment_storeId_platformId_key") : null;
        let updated = 0;
        if (inserted) touched.push(parseIntArray((inserted.rows[0] as { touched: string }).touched));
        else {
          const merged = await client.query<{ updated: number; touched: string }>(mergeOrders, params);
          updated = merged.rows[0]!.updated;
          touched.push(parseIntArray(merged.rows[0]!.touched));
          if (updated > 0) {
            const ids = await client.query<{ id: number }>("SELECT id FROM bl_applied WHERE NOT inserted");
            await client.query(DELETE_LINES, [storeId, ids.rows.map((r) => r.id)]);
          }
          await client.query(INSERT_LINES, params);
          await client.query(MERGE_PAYMENTS, params);
        }
        ordersLookNew = updated === 0;
      }
      if (chunk.customers.size) for (const index of customerGinIndexes) await client.query("SELECT gin_clean_pending_list($1::regclass)", [index]);
      await client.query("COMMIT");
      return { unknown, touched };
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }

  async function write(client: pg.Client, chunk: Chunk): Promise<void> {
    // This chunk's merge follows the previous chunk's, and the next chunk's follows this one's
    // (committed or given up, retries included), so chunks commit in order. Taken before anything
    // is awaited: in the order rotate hands chunks out.
    const turn = mergeTail;
    let done!: () => void;
    mergeTail = new Promise<void>((resolve) => (done = resolve));
    const large = chunk.objects >= chunkSize;
    const encoded = chunk.encode();
    try {
      if (large && chunksWritten === 0) await refreshPlannerStatistics(client);
      const { unknown, touched } = await retryOnConflict(() => writeOnce(client, chunk, encoded, turn), attempts);
      for (const platformId of unknown) result.unknownCustomers.push(platformId);
      for (const ids of touched) for (const id of ids) touchedCustomers.add(id);
      // Once the store's first rows are in, so the planner knows the store is not empty: the table
      // this chunk filled (both were analysed just before it; a second ANALYZE of Customer in the
      // orders phase cost ~1 s for nothing).
      if (++chunksWritten === 1 && large) await refreshPlannerStatistics(client, `${chunk.orders.size > 0 ? `"Order"` : `"Customer"`} ${MERGE_KEYS}`);
      result.customers += chunk.customers.size;
      result.orders += chunk.orders.size;
      result.products += chunk.products.size;
      result.lines += chunk.lines;
    } catch (error) {
      // Before the turn passes on (finally), so the next chunk sees it.
      failure ??= { error };
      throw error;
    } finally {
      done();
    }
    // Reported in chunk order too, but outside the merge turn: the next chunk merges meanwhile,
    // and a caller whose report waits on a lock another session holds (that session waiting for
    // the turn) cannot wedge the load.
    const report = reportTail.then(() => opts.onCommitted?.(chunk.objects));
    reportTail = report.then(
      () => undefined,
      () => undefined,
    );
    await report;
  }
  const setBasedFrom = opts.setBasedStatsFrom ?? SET_BASED_STATS_FROM;
  /** The set-based rebuild's planner statistics and Shopify's statistics, gathered once (prepareRebuild). */
  let prepared: { analysed: Promise<void>; peeked: ReturnType<ShopifyStatisticsStage["peek"]> | undefined } | null = null;
  /** Objects and orders handed in so far (REBUILD_PREPARED_AT). */
  let added = 0;
  let addedOrders = 0;
  /**
   * Starts what the set-based rebuild after the last chunk needs, if one is ahead (at least as many
   * orders as its threshold of customers), on other connections: ANALYZE of the columns its plan
   * reads, and Shopify's statistics to write with the stats (read-only: left queued if unused).
   */
  function prepareRebuild(orders: number): void {
    if (prepared || orders < setBasedFrom) return;
    const peeked = opts.shopifyStatistics?.peek();
    peeked?.catch(() => undefined); // awaited by finish(), after the chunks
    prepared = { analysed: analyseForStatsRebuild(services.db), peeked };
  }

  /** The first failed write's error, once every write under way has ended. */
  async function settle(): Promise<void> {
    while (writing.size) await Promise.allSettled([...writing]);
    if (failure) throw failure.error;
  }

  /**
   * Hand the full chunk to PostgreSQL once a session is free; keep parsing meanwhile. The first
   * chunk goes alone (statistics before and after it); the second session opens for the second.
   */
  async function rotate(): Promise<void> {
    const chunk = current;
    current = new Chunk();
    const t0 = performance.now();
    if (writtenAt !== null) result.waits.forReader += t0 - writtenAt;
    for (;;) {
      if (failure) throw failure.error;
      if (idle.length && (chunksWritten > 0 || !writing.size)) break;
      if (chunksWritten > 0 && sessions.length < sessionsWanted) {
        const opened = await openSession();
        sessions.push(opened);
        idle.push(opened);
        continue;
      }
      await Promise.race(writing).catch(() => undefined);
    }
    result.waits.forDatabase += performance.now() - t0;
    writtenAt = null;
    const session = idle.pop()!;
    const done: Promise<void> = write(session, chunk).then(
      () => {
        idle.push(session);
        writing.delete(done);
        if (!writing.size) writtenAt = performance.now();
      },
      (error: unknown) => {
        failure ??= { error }; // write() records a failed merge itself; a failed report lands here
        writing.delete(done);
        // Back to the pool so nothing waits on it: the next rotate (or finish) throws the
        // error, and close() ends every session.
        idle.push(session);
      },
    );
    writing.add(done);
    if (opts.expectedObjects !== undefined && added >= REBUILD_PREPARED_AT * opts.expectedObjects) prepareRebuild(addedOrders);
  }

  function addEncoded(change: EncodedChange): Promise<void> | undefined {
    if (closed) throw new Error("bulk load is closed");
    current.add(change);
    added++;
    if (change.kind === "order") addedOrders++;
    if (current.objects >= chunkSize) return rotate();
    // Let finished statements of the chunk being merged be seen and the next one sent: a
    // caller parsing without pause would otherwise leave PostgreSQL waiting on it.
    return current.objects % YIELD_EVERY === 0 ? new Promise<void>((resolve) => setImmediate(resolve)) : undefined;
  }

  return {
    add: (change) => addEncoded(encodeChange(change)),
    addEncoded,
    async finish() {
      // Without an expected count (or a source shorter than announced): now, beside the last chunks.
      prepareRebuild(result.orders + current.orders.size);
      const { analysed, peeked } = prepared ?? { analysed: null, peeked: undefined };
      if (current.objects) await rotate();
      await settle();
      const ids = [...touchedCustomers].sort((a, b) => a - b);
      await analysed;
      if (ids.length > 0 && ids.length >= setBasedFrom) {
        // Most of a store: a pass over its orders and lines (hash aggregates) instead of
        // per-customer probes, in two id ranges side by side (Node has nothing else to do now).
        // Each range is one transaction: its customers' stats rows stay locked for its duration
        // (seconds for a 1M-order store; webhook batches touching them wait that long).
        const t0 = performance.now();
        if (!analysed) await analyseForStatsRebuild(services.db);
        const half = Math.ceil(ids.length / 2);
        const ranges = [ids.slice(0, half), ids.slice(half)].filter((range) => range.length > 0);
        // Shopify's statistics of the customers phase, queued for these same rows (one write per
        // customer instead of two), each range taking those of its ids: every id falls in one.
        const statistics = await (peeked ?? opts.shopifyStatistics?.peek());
        const shopifyIds = statistics ? parseIntArray(statistics.ids) : [];
        const bounds = (i: number): [number, number] => [i === 0 ? -MAX_ID : ranges[i]![0]!, ranges[i + 1] ? ranges[i + 1]![0]! - 1 : MAX_ID];
        // On a pooled node-postgres connection: the id array (185,000 ints per range at 1M orders)
        // goes as one text parameter, not through Prisma's engine as JSON.
        // A webhook batch refreshing some of the same customers in another order: retried.
        const rebuild = (range: number[], i: number) =>
          retryOnConflict(async () => {
            const conn = await poolOf(services.db).connect();
            try {
              await conn.query("BEGIN");
              await conn.query(STATS_REBUILD_SETTINGS);
              // New rows (a first backfill's) without the per-row foreign-key triggers, as the
              // merge does; the statement locks what they would have (lockReferenced).
              const lockReferenced = skipForeignKeyChecks && (await trySetLocal(conn, "session_replication_role", "replica"));
              const [lo, hi] = bounds(i);
              const params = statistics ? [storeId, namedIds(range, shopifyIds, lo, hi), statistics.ids, statistics.groups, statistics.tiers, lo, hi] : [storeId, range];
              const sql = (plain: boolean) => setBasedStatsSql({ shopifyStatistics: statistics !== undefined, lockReferenced, plain, namedMerged: true });
              // No row of the range yet (a first backfill): a plain insert, in a savepoint; one
              // that exists after all (a webhook's, written meanwhile) fails it, and the upsert runs.
              const empty = await conn.query(`SELECT 1 FROM "CustomerStats" WHERE "storeId" = $1 AND "customerId" BETWEEN $2 AND $3 LIMIT 1`, [storeId, lo, hi]);
              if (!(empty.rowCount === 0 && (await tryPlain(conn, sql(true), params)))) await conn.query(sql(false), params);
              await conn.query("COMMIT");
              conn.release();
            } catch (e) {
              await conn.query("ROLLBACK").then(() => conn.release(), (err: Error) => conn.release(err));
              throw e;
            }
          }, attempts);
        await Promise.all(ranges.map(rebuild));
        if (statistics) await opts.shopifyStatistics!.taken(statistics);
        result.waits.stats = performance.now() - t0;
        touchedCustomers.clear();
        result.statsRefreshed = ids.length;
        return { ...result, unknownCustomers: [...result.unknownCustomers], waits: { ...result.waits } };
      }
      if (chunksWritten > 1) await refreshPlannerStatistics(client, `"Order"`);
      // In slices: one short statement each, so concurrent webhooks never wait long on a customer.
      const slices: number[][] = [];
      for (let i = 0; i < ids.length; i += STATS_SLICE) slices.push(ids.slice(i, i + STATS_SLICE));
      // Two at a time: Node has nothing else to do now, and PostgreSQL has two cores to use.
      const refreshNext = async (): Promise<void> => {
        for (let slice = slices.shift(); slice; slice = slices.shift()) {
          const ids = slice;
          await services.db.$transaction(async (tx) => {
            // The refresh is meant as one indexed aggregate per customer. With fresh statistics
            // of a large store the planner prefers joining the store's every order per slice
            // instead (measured: 1.3 s per 5,000 customers at 1M orders, 10× the probes).
            await tx.$executeRaw`SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`;
            await refreshCustomerStats(tx, storeId, ids);
            // Prisma's default 5 s would fail the whole backfill when a slice runs long on a busy
            // server (seen: 11 s under a load of 12 on 2 cores).
          }, STATS_TRANSACTION);
        }
      };
      const t0 = performance.now();
      await Promise.all([refreshNext(), refreshNext()]);
      result.waits.stats = performance.now() - t0;
      touchedCustomers.clear();
      result.statsRefreshed = ids.length;
      return { ...result, unknownCustomers: [...result.unknownCustomers], waits: { ...result.waits } };
    },
    async close() {
      if (closed) return;
      closed = true;
      await settle().catch(() => undefined);
      await Promise.all(sessions.map((s) => s.end().catch(() => undefined)));
    },
  };
}
