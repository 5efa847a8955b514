// Writing an import plan: everything in ONE transaction (a failure leaves nothing behind), customers
// upserted by platformId "import:<key>" (a re-import updates, never duplicates, and never blanks a
// value the file leaves empty), orders upserted by "import:order:<id>" with their lines replaced,
// then the touched customers' stats refreshed with the same SQL webhook ingestion uses.
import type { Db } from "#app/db/client.server.ts";
import { refreshCustomerStats } from "#app/core/ingest/customer-stats.server.ts";
import type { ImportPlan, PlannedCustomer } from "./plan.ts";

export interface ImportResult {
  customersCreated: number;
  customersUpdated: number;
  ordersCreated: number;
  ordersUpdated: number;
  lines: number;
  customerIds: number[];
}

/** Fields of a planned customer that the file actually gave (nulls are left alone on update). */
function givenFields(c: PlannedCustomer) {
  const entries = Object.entries({
    email: c.email, phone: c.phone, firstName: c.firstName, lastName: c.lastName, taxId: c.taxId, birthDate: c.birthDate, gender: c.gender,
    city: c.city, province: c.province, zip: c.zip, country: c.country, acceptsEmailMarketing: c.acceptsEmailMarketing, acceptsSmsMarketing: c.acceptsSmsMarketing,
  }).filter(([, v]) => v !== null);
  return Object.fromEntries(entries) as Partial<Record<string, string | Date | boolean>>;
}

export async function commitImport(db: Db, store: { id: number; currency: string }, plan: ImportPlan): Promise<ImportResult> {
  const storeId = store.id;
  return db.$transaction(
    async (tx) => {
      const result: ImportResult = { customersCreated: 0, customersUpdated: 0, ordersCreated: 0, ordersUpdated: 0, lines: 0, customerIds: [] };
      const existing = new Map(
        (await tx.customer.findMany({ where: { storeId, platformId: { in: plan.customers.map((c) => c.platformId) } }, select: { id: true, platformId: true, tags: true } })).map((c) => [c.platformId, c]),
      );
      const idOf = new Map<string, number>();
      const now = new Date();
      for (const c of plan.customers) {
        const fields = givenFields(c);
        const consent = c.acceptsEmailMarketing !== null || c.acceptsSmsMarketing !== null ? { consentUpdatedAt: now } : {};
        const found = existing.get(c.platformId);
        if (found) {
          const tags = [...new Set([...found.tags, ...c.tags])];
          await tx.customer.update({ where: { storeId_id: { storeId, id: found.id } }, data: { ...fields, ...consent, tags } });
          idOf.set(c.platformId, found.id);
          result.customersUpdated++;
        } else {
          const created = await tx.customer.create({ data: { storeId, platformId: c.platformId, ...fields, ...consent, tags: c.tags, platformCreatedAt: now }, select: { id: true } });
          idOf.set(c.platformId, created.id);
          result.customersCreated++;
        }
      }
      const existingOrders = new Map(
        (await tx.order.findMany({ where: { storeId, platformId: { in: plan.orders.map((o) => o.platformId) } }, select: { id: true, platformId: true, customerId: true } })).map((o) => [o.platformId, o]),
      );
      const touched = new Set(idOf.values());
      for (const o of plan.orders) {
        const customerId = idOf.get(o.customerPlatformId)!;
        const subtotal = o.lines.reduce((a, l) => a + l.totalMinor, 0n);
        const data = {
          name: o.name,
          customerId,
          currency: store.currency,
          subtotalMinor: subtotal || o.totalMinor,
          totalMinor: o.totalMinor,
          financialStatus: "paid" as const,
          channel: o.channel,
          paymentMethod: o.paymentMethod,
          placedAt: o.placedAt,
          platformUpdatedAt: now,
        };
        const prior = existingOrders.get(o.platformId);
        let orderId: number;
        if (prior) {
          await tx.order.update({ where: { storeId_id: { storeId, id: prior.id } }, data });
          if (prior.customerId) touched.add(prior.customerId);
          await tx.orderLine.deleteMany({ where: { storeId, orderId: prior.id } });
          orderId = prior.id;
          result.ordersUpdated++;
        } else {
          orderId = (await tx.order.create({ data: { storeId, platformId: o.platformId, ...data }, select: { id: true } })).id;
          result.ordersCreated++;
        }
        if (o.lines.length) {
          await tx.orderLine.createMany({
            data: o.lines.map((l) => ({ storeId, orderId, title: l.title, sku: l.sku, quantity: l.quantity, unitPriceMinor: l.unitPriceMinor, totalMinor: l.totalMinor })),
          });
          result.lines += o.lines.length;
        }
      }
      result.customerIds = [...touched];
      await refreshCustomerStats(tx, storeId, result.customerIds);
      return result;
    },
    { timeout: 300_000, maxWait: 10_000 },
  );
}
