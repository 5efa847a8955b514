// Apply one normalised platform change to the store's rows. Safe under retries, duplicates and
// reordering: every upsert is keyed by (storeId, platformId) and guarded by the platform's
// updated_at, so replaying any delivery, in any order, converges to the newest state.
import type { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { cast, jsonb, upsertSql } from "#app/db/upsert.server.ts";
import type {
  NormalizedChange,
  NormalizedCheckout,
  NormalizedCustomer,
  NormalizedOrder,
  NormalizedProduct,
} from "#app/core/types.ts";
import { refreshCustomerStats } from "./customer-stats.server";

type Tx = Prisma.TransactionClient;

export interface ApplyResult {
  /** False when the change was older than what we hold (or concerned nothing we have). */
  applied: boolean;
  customerIds: number[];
}

export async function applyChange(db: Db, storeId: number, change: NormalizedChange): Promise<ApplyResult> {
  switch (change.kind) {
    case "customer.upsert":
      return db.$transaction(async (tx) => {
        const r = await upsertCustomer(tx, storeId, change.customer);
        return { applied: r.applied, customerIds: [r.id] };
      });
    case "customer.delete":
      return db.$transaction((tx) => deleteCustomer(tx, storeId, change.platformId));
    case "order.upsert":
      return db.$transaction((tx) => upsertOrder(tx, storeId, change.order));
    case "order.delete":
      return db.$transaction((tx) => deleteOrder(tx, storeId, change.platformId));
    case "checkout.upsert":
      return db.$transaction((tx) => upsertCheckout(tx, storeId, change.checkout));
    case "product.upsert":
      return db.$transaction(async (tx) => ({ applied: await upsertProduct(tx, storeId, change.product), customerIds: [] }));
    case "product.delete": {
      const n = await db.product.updateMany({ where: { storeId, platformId: change.platformId }, data: { deletedAt: new Date(), inStock: false } });
      return { applied: n.count > 0, customerIds: [] };
    }
    case "app.uninstalled": {
      await db.store.update({ where: { id: storeId }, data: { uninstalledAt: new Date() } });
      return { applied: true, customerIds: [] };
    }
    case "compliance":
    case "ignored":
      return { applied: false, customerIds: [] };
  }
}

function customerRow(storeId: number, c: NormalizedCustomer) {
  return {
    storeId,
    platformId: c.platformId,
    email: c.email?.trim().toLowerCase() || null,
    phone: c.phone,
    firstName: c.firstName,
    lastName: c.lastName,
    city: c.city,
    province: c.province,
    country: c.country,
    zip: c.zip,
    addresses: jsonb(c.addresses),
    birthDate: c.birthDate,
    gender: c.gender,
    taxId: c.taxId,
    locale: c.locale,
    acceptsEmailMarketing: c.acceptsEmailMarketing,
    acceptsSmsMarketing: c.acceptsSmsMarketing,
    consentUpdatedAt: c.consentUpdatedAt,
    tags: cast(c.tags, "text[]"),
    note: c.note,
    platformCreatedAt: c.platformCreatedAt,
    platformUpdatedAt: c.platformUpdatedAt,
  };
}

/** Upsert a customer; returns its id whether or not the (possibly stale) payload was applied. */
export async function upsertCustomer(tx: Tx, storeId: number, c: NormalizedCustomer): Promise<{ id: number; applied: boolean }> {
  const rows = await tx.$queryRaw<{ id: number }[]>(
    upsertSql("Customer", customerRow(storeId, c), { conflict: ["storeId", "platformId"], guard: "platformUpdatedAt", returning: ["id"] }),
  );
  if (rows[0]) return { id: rows[0].id, applied: true };
  const existing = await tx.customer.findUniqueOrThrow({ where: { storeId_platformId: { storeId, platformId: c.platformId } }, select: { id: true } });
  return { id: existing.id, applied: false };
}

async function deleteCustomer(tx: Tx, storeId: number, platformId: string): Promise<ApplyResult> {
  const c = await tx.customer.findUnique({ where: { storeId_platformId: { storeId, platformId } }, select: { id: true } });
  if (!c) return { applied: false, customerIds: [] };
  // Orders stay (the store's totals need them), unlinked from the person.
  await tx.order.updateMany({ where: { storeId, customerId: c.id }, data: { customerId: null } });
  await tx.checkout.updateMany({ where: { storeId, customerId: c.id }, data: { customerId: null } });
  await tx.message.updateMany({ where: { storeId, customerId: c.id }, data: { customerId: null } });
  await tx.customer.delete({ where: { storeId_id: { storeId, id: c.id } } });
  return { applied: true, customerIds: [] };
}

async function upsertOrder(tx: Tx, storeId: number, o: NormalizedOrder): Promise<ApplyResult> {
  const customerId = o.customer ? (await upsertCustomer(tx, storeId, o.customer)).id : null;
  const rows = await tx.$queryRaw<{ id: number; inserted: boolean; customerId: number | null }[]>(
    upsertSql(
      "Order",
      {
        storeId,
        platformId: o.platformId,
        name: o.name,
        customerId,
        email: o.email?.trim().toLowerCase() || null,
        currency: o.currency,
        subtotalMinor: o.subtotalMinor,
        discountMinor: o.discountMinor,
        shippingMinor: o.shippingMinor,
        taxMinor: o.taxMinor,
        totalMinor: o.totalMinor,
        refundedMinor: o.refundedMinor,
        financialStatus: cast(o.financialStatus, '"FinancialStatus"'),
        fulfillmentStatus: o.fulfillmentStatus,
        channel: cast(o.channel, '"SalesChannel"'),
        paymentMethod: cast(o.paymentMethod, '"PaymentMethod"'),
        gateways: cast(o.gateways, "text[]"),
        tags: cast(o.tags, "text[]"),
        landingSite: o.landingSite,
        referringSite: o.referringSite,
        utmSource: o.utmSource,
        utmMedium: o.utmMedium,
        utmCampaign: o.utmCampaign,
        test: o.test,
        placedAt: o.placedAt,
        cancelledAt: o.cancelledAt,
        closedAt: o.closedAt,
        platformUpdatedAt: o.platformUpdatedAt,
        deletedAt: null,
      },
      // Later order payloads may omit the customer (Shopify trims protected data): keep the link.
      { conflict: ["storeId", "platformId"], guard: "platformUpdatedAt", keepWhenNull: ["customerId", "email"], returning: ["id", "inserted", "customerId"] },
    ),
  );
  const row = rows[0];
  if (!row) return { applied: false, customerIds: customerId ? [customerId] : [] };

  // Lines and payments are part of the order's version: replace them with this version's.
  await tx.orderLine.deleteMany({ where: { storeId, orderId: row.id } });
  if (o.lines.length) {
    await tx.orderLine.createMany({
      data: o.lines.map((l) => ({ storeId, orderId: row.id, ...l })),
    });
  }
  for (const p of o.payments) {
    await tx.$executeRaw(
      upsertSql(
        "Payment",
        {
          storeId,
          orderId: row.id,
          platformId: p.platformId,
          method: cast(p.method, '"PaymentMethod"'),
          gateway: p.gateway,
          status: cast(p.status, '"PaymentStatus"'),
          amountMinor: p.amountMinor,
          currency: p.currency,
          boletoUrl: p.boletoUrl,
          boletoBarcode: p.boletoBarcode,
          pixCode: p.pixCode,
          dueAt: p.dueAt,
          paidAt: p.paidAt,
          createdAt: p.createdAt,
        },
        // Only some deliveries carry the payment time: never forget one we already know.
        { conflict: ["storeId", "platformId"], insertOnly: ["createdAt"], keepWhenNull: ["paidAt", "boletoUrl", "boletoBarcode", "pixCode", "dueAt"] },
      ),
    );
  }
  if (row.inserted && customerId) {
    await tx.event.create({
      data: { storeId, customerId, type: "order.placed", occurredAt: o.placedAt, data: { orderId: row.id, name: o.name, totalMinor: o.totalMinor.toString(), currency: o.currency } },
    });
  }
  const customerIds = [...new Set([customerId, row.customerId].filter((x): x is number => x !== null))];
  await refreshCustomerStats(tx, storeId, customerIds);
  return { applied: true, customerIds };
}

async function deleteOrder(tx: Tx, storeId: number, platformId: string): Promise<ApplyResult> {
  const o = await tx.order.findUnique({ where: { storeId_platformId: { storeId, platformId } }, select: { id: true, customerId: true } });
  if (!o) return { applied: false, customerIds: [] };
  await tx.order.delete({ where: { storeId_id: { storeId, id: o.id } } });
  const customerIds = o.customerId ? [o.customerId] : [];
  await refreshCustomerStats(tx, storeId, customerIds);
  return { applied: true, customerIds };
}

async function upsertCheckout(tx: Tx, storeId: number, c: NormalizedCheckout): Promise<ApplyResult> {
  const customerId = c.customer ? (await upsertCustomer(tx, storeId, c.customer)).id : null;
  const rows = await tx.$queryRaw<{ id: number; inserted: boolean }[]>(
    upsertSql(
      "Checkout",
      {
        storeId,
        platformId: c.platformId,
        customerId,
        email: c.email?.trim().toLowerCase() || null,
        phone: c.phone,
        recoveryUrl: c.recoveryUrl,
        currency: c.currency,
        totalMinor: c.totalMinor,
        lines: jsonb(c.lines.map((l) => ({ ...l, unitPriceMinor: l.unitPriceMinor.toString() }))),
        startedAt: c.startedAt,
        platformUpdatedAt: c.platformUpdatedAt,
        completedAt: c.completedAt,
        completedOrderId: c.completedOrderId,
      },
      { conflict: ["storeId", "platformId"], guard: "platformUpdatedAt", keepWhenNull: ["customerId", "email", "phone", "recoveryUrl"], returning: ["id", "inserted"] },
    ),
  );
  const row = rows[0];
  if (row?.inserted && customerId) {
    await tx.event.create({ data: { storeId, customerId, type: "checkout.started", occurredAt: c.startedAt, data: { checkoutId: row.id } } });
  }
  return { applied: Boolean(row), customerIds: customerId ? [customerId] : [] };
}

async function upsertProduct(tx: Tx, storeId: number, p: NormalizedProduct): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: number }[]>(
    upsertSql(
      "Product",
      {
        storeId,
        platformId: p.platformId,
        title: p.title,
        handle: p.handle,
        vendor: p.vendor,
        category: p.category,
        tags: cast(p.tags, "text[]"),
        status: p.status,
        imageUrl: p.imageUrl,
        priceMinor: p.priceMinor,
        currency: p.currency,
        variants: jsonb(p.variants),
        inStock: p.inStock,
        platformUpdatedAt: p.platformUpdatedAt,
        deletedAt: null,
      },
      { conflict: ["storeId", "platformId"], guard: "platformUpdatedAt", returning: ["id"] },
    ),
  );
  return rows.length > 0;
}
