// Apply many normalised changes of one store in one transaction with a handful of multi-row
// statements: the path for webhook batches, bulk backfill, and (as a batch of one) single changes.
// Newest platform updated_at wins, duplicates collapse, order links are kept when later payloads
// omit them: a batch replayed in any order converges to the same rows.
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { bulkInsertSql, bulkUpsertSql, newestByKey, type Column } from "#app/db/bulk-upsert.server.ts";
import type {
  NormalizedChange,
  NormalizedCheckout,
  NormalizedCustomer,
  NormalizedOrder,
  NormalizedOrderLine,
  NormalizedPayment,
  NormalizedProduct,
} from "#app/core/types.ts";
import { refreshCustomerStats } from "./customer-stats.server.ts";
import type { RawTx } from "#app/db/raw-tx.server.ts";
import { withoutErased } from "#app/core/privacy/tombstone.server.ts";

type Tx = Prisma.TransactionClient;

export const customerColumns: Column<NormalizedCustomer>[] = [
  { name: "platformId", type: "text", get: (c) => c.platformId },
  { name: "email", type: "text", get: (c) => c.email?.trim().toLowerCase() || null },
  { name: "phone", type: "text", get: (c) => c.phone },
  { name: "firstName", type: "text", get: (c) => c.firstName },
  { name: "lastName", type: "text", get: (c) => c.lastName },
  { name: "city", type: "text", get: (c) => c.city },
  { name: "province", type: "text", get: (c) => c.province },
  { name: "country", type: "text", get: (c) => c.country },
  { name: "zip", type: "text", get: (c) => c.zip },
  { name: "addresses", type: "jsonb", get: (c) => c.addresses },
  { name: "birthDate", type: "date", get: (c) => c.birthDate },
  { name: "gender", type: "text", get: (c) => c.gender },
  { name: "taxId", type: "text", get: (c) => c.taxId },
  { name: "locale", type: "text", get: (c) => c.locale },
  { name: "acceptsEmailMarketing", type: "bool", get: (c) => c.acceptsEmailMarketing },
  { name: "acceptsSmsMarketing", type: "bool", get: (c) => c.acceptsSmsMarketing },
  { name: "consentUpdatedAt", type: "timestamptz", get: (c) => c.consentUpdatedAt },
  { name: "tags", type: "text[]", get: (c) => c.tags },
  { name: "note", type: "text", get: (c) => c.note },
  { name: "platformCreatedAt", type: "timestamptz", get: (c) => c.platformCreatedAt },
  { name: "platformUpdatedAt", type: "timestamptz", get: (c) => c.platformUpdatedAt },
];

export type OrderRow = NormalizedOrder & { customerId: number | null };
export const orderColumns: Column<OrderRow>[] = [
  { name: "platformId", type: "text", get: (o) => o.platformId },
  { name: "name", type: "text", get: (o) => o.name },
  { name: "customerId", type: "int", get: (o) => o.customerId },
  { name: "email", type: "text", get: (o) => o.email?.trim().toLowerCase() || null },
  { name: "currency", type: "text", get: (o) => o.currency },
  { name: "subtotalMinor", type: "bigint", get: (o) => o.subtotalMinor },
  { name: "discountMinor", type: "bigint", get: (o) => o.discountMinor },
  { name: "shippingMinor", type: "bigint", get: (o) => o.shippingMinor },
  { name: "taxMinor", type: "bigint", get: (o) => o.taxMinor },
  { name: "totalMinor", type: "bigint", get: (o) => o.totalMinor },
  { name: "refundedMinor", type: "bigint", get: (o) => o.refundedMinor },
  { name: "financialStatus", type: { enum: "FinancialStatus" }, get: (o) => o.financialStatus },
  { name: "fulfillmentStatus", type: "text", get: (o) => o.fulfillmentStatus },
  { name: "channel", type: { enum: "SalesChannel" }, get: (o) => o.channel },
  { name: "paymentMethod", type: { enum: "PaymentMethod" }, get: (o) => o.paymentMethod },
  { name: "gateways", type: "text[]", get: (o) => o.gateways },
  { name: "tags", type: "text[]", get: (o) => o.tags },
  { name: "landingSite", type: "text", get: (o) => o.landingSite },
  { name: "referringSite", type: "text", get: (o) => o.referringSite },
  { name: "utmSource", type: "text", get: (o) => o.utmSource },
  { name: "utmMedium", type: "text", get: (o) => o.utmMedium },
  { name: "utmCampaign", type: "text", get: (o) => o.utmCampaign },
  { name: "test", type: "bool", get: (o) => o.test },
  { name: "placedAt", type: "timestamptz", get: (o) => o.placedAt },
  { name: "cancelledAt", type: "timestamptz", get: (o) => o.cancelledAt },
  { name: "closedAt", type: "timestamptz", get: (o) => o.closedAt },
  { name: "platformUpdatedAt", type: "timestamptz", get: (o) => o.platformUpdatedAt },
  { name: "deletedAt", type: "timestamptz", get: () => null },
];

export type LineRow = NormalizedOrderLine & { orderId: number };
export const lineColumns: Column<LineRow>[] = [
  { name: "orderId", type: "int", get: (l) => l.orderId },
  { name: "platformId", type: "text", get: (l) => l.platformId },
  { name: "productId", type: "text", get: (l) => l.productId },
  { name: "variantId", type: "text", get: (l) => l.variantId },
  { name: "sku", type: "text", get: (l) => l.sku },
  { name: "title", type: "text", get: (l) => l.title },
  { name: "category", type: "text", get: (l) => l.category },
  { name: "quantity", type: "int", get: (l) => l.quantity },
  { name: "unitPriceMinor", type: "bigint", get: (l) => l.unitPriceMinor },
  { name: "discountMinor", type: "bigint", get: (l) => l.discountMinor },
  { name: "totalMinor", type: "bigint", get: (l) => l.totalMinor },
];

export type PaymentRow = NormalizedPayment & { orderId: number };
export const paymentColumns: Column<PaymentRow>[] = [
  { name: "orderId", type: "int", get: (p) => p.orderId },
  { name: "platformId", type: "text", get: (p) => p.platformId },
  { name: "method", type: { enum: "PaymentMethod" }, get: (p) => p.method },
  { name: "gateway", type: "text", get: (p) => p.gateway },
  { name: "status", type: { enum: "PaymentStatus" }, get: (p) => p.status },
  { name: "amountMinor", type: "bigint", get: (p) => p.amountMinor },
  { name: "currency", type: "text", get: (p) => p.currency },
  { name: "boletoUrl", type: "text", get: (p) => p.boletoUrl },
  { name: "boletoBarcode", type: "text", get: (p) => p.boletoBarcode },
  { name: "pixCode", type: "text", get: (p) => p.pixCode },
  { name: "dueAt", type: "timestamptz", get: (p) => p.dueAt },
  { name: "paidAt", type: "timestamptz", get: (p) => p.paidAt },
  { name: "createdAt", type: "timestamptz", get: (p) => p.createdAt },
];

type CheckoutRow = NormalizedCheckout & { customerId: number | null };
const checkoutColumns: Column<CheckoutRow>[] = [
  { name: "platformId", type: "text", get: (c) => c.platformId },
  { name: "customerId", type: "int", get: (c) => c.customerId },
  { name: "email", type: "text", get: (c) => c.email?.trim().toLowerCase() || null },
  { name: "phone", type: "text", get: (c) => c.phone },
  { name: "recoveryUrl", type: "text", get: (c) => c.recoveryUrl },
  { name: "currency", type: "text", get: (c) => c.currency },
  { name: "totalMinor", type: "bigint", get: (c) => c.totalMinor },
  { name: "lines", type: "jsonb", get: (c) => c.lines },
  { name: "startedAt", type: "timestamptz", get: (c) => c.startedAt },
  { name: "platformUpdatedAt", type: "timestamptz", get: (c) => c.platformUpdatedAt },
  { name: "completedAt", type: "timestamptz", get: (c) => c.completedAt },
  { name: "completedOrderId", type: "text", get: (c) => c.completedOrderId },
];

export const productColumns: Column<NormalizedProduct>[] = [
  { name: "platformId", type: "text", get: (p) => p.platformId },
  { name: "title", type: "text", get: (p) => p.title },
  { name: "handle", type: "text", get: (p) => p.handle },
  { name: "vendor", type: "text", get: (p) => p.vendor },
  { name: "category", type: "text", get: (p) => p.category },
  { name: "tags", type: "text[]", get: (p) => p.tags },
  { name: "status", type: "text", get: (p) => p.status },
  { name: "imageUrl", type: "text", get: (p) => p.imageUrl },
  { name: "priceMinor", type: "bigint", get: (p) => p.priceMinor },
  { name: "currency", type: "text", get: (p) => p.currency },
  { name: "variants", type: "jsonb", get: (p) => p.variants },
  { name: "inStock", type: "bool", get: (p) => p.inStock },
  { name: "platformUpdatedAt", type: "timestamptz", get: (p) => p.platformUpdatedAt },
  { name: "deletedAt", type: "timestamptz", get: () => null },
];

const byPlatformId = <R extends { platformId: string }>(rows: R[]) => [...rows].sort((a, b) => (a.platformId < b.platformId ? -1 : a.platformId > b.platformId ? 1 : 0));

async function upsertCustomers(tx: RawTx, storeId: number, customers: NormalizedCustomer[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  if (!customers.length) return ids;
  // Sorted so concurrent batches lock rows in the same order (no deadlocks between them).
  const rows = byPlatformId(newestByKey(customers, (c) => c.platformId, (c) => c.platformUpdatedAt));
  const written = await tx.$queryRaw<{ id: number; platformId: string }[]>(
    bulkUpsertSql("Customer", customerColumns, rows, { conflict: ["storeId", "platformId"], guard: "platformUpdatedAt", constants: { storeId }, returning: ["id", "platformId"] }),
  );
  for (const r of written) ids.set(r.platformId, r.id);
  const stale = rows.map((r) => r.platformId).filter((p) => !ids.has(p));
  if (stale.length) {
    const found = await tx.$queryRaw<{ id: number; platformId: string }[]>(
      Prisma.sql`SELECT id, "platformId" FROM "Customer" WHERE "storeId" = ${storeId} AND "platformId" = ANY(${stale}::text[])`,
    );
    for (const r of found) ids.set(r.platformId, r.id);
  }
  return ids;
}

export interface BatchResult {
  orders: number;
  customers: number;
}

const TX = { timeout: 60_000, maxWait: 30_000 };

/**
 * Apply a batch in one transaction. Callers that need to know which change failed (webhook
 * processing) retry the changes one by one when a batch fails: see applyEach.
 */
export async function applyChanges(db: Db, storeId: number, changes: NormalizedChange[]): Promise<BatchResult> {
  return db.$transaction((tx) => applyBatch(tx, storeId, changes, tx), TX);
}

/**
 * Apply a batch inside the caller's transaction, so the caller can commit its own bookkeeping with
 * it (the webhook worker marks its receipts processed in the same commit: exactly once, one flush).
 */
export async function applyChangesInTx(tx: Tx, storeId: number, changes: NormalizedChange[]): Promise<BatchResult> {
  return applyBatch(tx, storeId, changes, tx);
}

const SET_BASED = new Set<NormalizedChange["kind"]>(["customer.upsert", "order.upsert", "checkout.upsert", "product.upsert", "ignored"]);

/** True when every change is an upsert (or ignored): those need raw SQL only, see applyUpsertsInRawTx. */
export function onlyUpserts(changes: NormalizedChange[]): boolean {
  return changes.every((c) => SET_BASED.has(c.kind));
}

/**
 * applyChangesInTx for a batch of upserts only (onlyUpserts) on a node-postgres transaction
 * (app/db/raw-tx.server.ts): the same statements without Prisma's per-statement compile.
 */
export async function applyUpsertsInRawTx(tx: RawTx, storeId: number, changes: NormalizedChange[]): Promise<BatchResult> {
  if (!onlyUpserts(changes)) throw new Error("applyUpsertsInRawTx: the batch holds deletions or other changes that need a Prisma transaction");
  return applyBatch(tx, storeId, changes, null);
}

/** One change, one transaction: the slow path that isolates a failing change. */
export async function applyChange(db: Db, storeId: number, change: NormalizedChange): Promise<BatchResult> {
  return applyChanges(db, storeId, [change]);
}

async function applyBatch(tx: RawTx, storeId: number, changes: NormalizedChange[], prismaTx: Tx | null): Promise<BatchResult> {
  const customers: NormalizedCustomer[] = [];
  const orders: NormalizedOrder[] = [];
  const checkouts: NormalizedCheckout[] = [];
  const products: NormalizedProduct[] = [];
  const rest: NormalizedChange[] = [];
  for (const c of changes) {
    if (c.kind === "customer.upsert") customers.push(c.customer);
    else if (c.kind === "order.upsert") {
      orders.push(c.order);
      if (c.order.customer) customers.push(c.order.customer);
    } else if (c.kind === "checkout.upsert") {
      checkouts.push(c.checkout);
      if (c.checkout.customer) customers.push(c.checkout.customer);
    } else if (c.kind === "product.upsert") products.push(c.product);
    else rest.push(c);
  }

  // Erased customers (tombstones) are never re-created by a late delivery: their orders and
  // checkouts arrive stripped and are linked to the anonymous row (app/core/privacy).
  const erased = await withoutErased(tx, storeId, { customers, orders, checkouts });
  const customerIds = await upsertCustomers(tx, storeId, erased.customers);
  const touched = new Set<number>();

  if (products.length) {
    const rows = byPlatformId(newestByKey(products, (p) => p.platformId, (p) => p.platformUpdatedAt));
    await tx.$executeRaw(bulkUpsertSql("Product", productColumns, rows, { conflict: ["storeId", "platformId"], guard: "platformUpdatedAt", constants: { storeId } }));
  }

  if (orders.length) {
    const rows: OrderRow[] = byPlatformId(newestByKey(erased.orders, (o) => o.platformId, (o) => o.platformUpdatedAt)).map((o) => ({
      ...o,
      customerId: o.customer ? (customerIds.get(o.customer.platformId) ?? null) : (erased.orderOwners.get(o.platformId) ?? null),
    }));
    // The previous customer of each order, in case a newer version moved it to someone else.
    const before = await tx.$queryRaw<{ customerId: number }[]>(
      Prisma.sql`SELECT DISTINCT "customerId" FROM "Order" WHERE "storeId" = ${storeId} AND "platformId" = ANY(${rows.map((r) => r.platformId)}::text[]) AND "customerId" IS NOT NULL`,
    );
    for (const b of before) touched.add(b.customerId);
    const written = await tx.$queryRaw<{ id: number; platformId: string; inserted: boolean; customerId: number | null }[]>(
      bulkUpsertSql("Order", orderColumns, rows, {
        conflict: ["storeId", "platformId"],
        guard: "platformUpdatedAt",
        keepWhenNull: ["customerId", "email"],
        constants: { storeId },
        returning: ["id", "platformId", "inserted", "customerId"],
      }),
    );
    const byPid = new Map(rows.map((r) => [r.platformId, r]));
    const applied = written.map((w) => ({ ...w, order: byPid.get(w.platformId)! }));
    if (applied.length) {
      await tx.$executeRaw(Prisma.sql`DELETE FROM "OrderLine" WHERE "storeId" = ${storeId} AND "orderId" = ANY(${applied.map((a) => a.id)}::int[])`);
      const lines: LineRow[] = applied.flatMap((a) => a.order.lines.map((l) => ({ ...l, orderId: a.id })));
      if (lines.length) await tx.$executeRaw(bulkInsertSql("OrderLine", lineColumns, lines, { storeId }));
      const payments: PaymentRow[] = newestByKey(
        applied.flatMap((a) => a.order.payments.map((p) => ({ ...p, orderId: a.id }))),
        (p) => p.platformId,
        () => null,
      );
      if (payments.length) {
        await tx.$executeRaw(
          bulkUpsertSql("Payment", paymentColumns, byPlatformId(payments), {
            conflict: ["storeId", "platformId"],
            insertOnly: ["createdAt"],
            keepWhenNull: ["paidAt", "boletoUrl", "boletoBarcode", "pixCode", "dueAt"],
            constants: { storeId },
          }),
        );
      }
      for (const a of applied) if (a.customerId) touched.add(a.customerId);
    }
  }

  if (checkouts.length) {
    const rows: CheckoutRow[] = byPlatformId(newestByKey(erased.checkouts, (c) => c.platformId, (c) => c.platformUpdatedAt)).map((c) => ({
      ...c,
      customerId: c.customer ? (customerIds.get(c.customer.platformId) ?? null) : (erased.checkoutOwners.get(c.platformId) ?? null),
    }));
    // No `checkout.started` (nor `order.placed`) Event row: the timeline and the flows read
    // checkouts and orders from their own tables, so such rows were written and never read.
    await tx.$executeRaw(
      bulkUpsertSql("Checkout", checkoutColumns, rows, {
        conflict: ["storeId", "platformId"],
        guard: "platformUpdatedAt",
        keepWhenNull: ["customerId", "email", "phone", "recoveryUrl"],
        constants: { storeId },
      }),
    );
  }

  await refreshCustomerStats(tx, storeId, [...touched]);

  // Deletions and the rare kinds run after the upserts of the same batch, one by one.
  for (const c of rest) {
    if (c.kind === "ignored") continue;
    if (!prismaTx) throw new Error(`${c.kind} needs a Prisma transaction`);
    await applyChangeInTx(prismaTx, storeId, c);
  }
  return { orders: orders.length, customers: customerIds.size };
}

async function applyChangeInTx(tx: Tx, storeId: number, c: NormalizedChange): Promise<void> {
  switch (c.kind) {
    case "customer.delete": {
      const found = await tx.customer.findUnique({ where: { storeId_platformId: { storeId, platformId: c.platformId } }, select: { id: true } });
      if (!found) return;
      await tx.order.updateMany({ where: { storeId, customerId: found.id }, data: { customerId: null } });
      await tx.checkout.updateMany({ where: { storeId, customerId: found.id }, data: { customerId: null } });
      await tx.message.updateMany({ where: { storeId, customerId: found.id }, data: { customerId: null } });
      await tx.customer.delete({ where: { storeId_id: { storeId, id: found.id } } });
      return;
    }
    case "order.delete": {
      const o = await tx.order.findUnique({ where: { storeId_platformId: { storeId, platformId: c.platformId } }, select: { id: true, customerId: true } });
      if (!o) return;
      await tx.order.delete({ where: { storeId_id: { storeId, id: o.id } } });
      if (o.customerId) await refreshCustomerStats(tx, storeId, [o.customerId]);
      return;
    }
    case "product.delete":
      await tx.product.updateMany({ where: { storeId, platformId: c.platformId }, data: { deletedAt: new Date(), inStock: false } });
      return;
    case "app.uninstalled":
      await tx.store.update({ where: { id: storeId }, data: { uninstalledAt: new Date() } });
      return;
    default:
      return;
  }
}
