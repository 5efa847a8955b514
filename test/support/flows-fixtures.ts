// Rows for flow tests: a store with email over a local SMTP server, customers, checkouts, orders,
// payments. Written with Prisma (the rows the ingest pipeline would have produced).
import type { PaymentMethod } from "@prisma/client";
import type { Db } from "../../app/db/client.server.ts";
import { saveEmailSettings } from "../../app/core/email/settings.server.ts";
import { ensureBuiltInFlows } from "../../app/core/flows/manage.server.ts";
import type { Keyring } from "../../app/core/crypto.ts";

let seq = 0;
const next = () => `${Date.now().toString(36)}-${++seq}`;

export async function createFlowStore(db: Db, keys: Keyring, smtp: { host: string; port: number }, opts: { domain?: string; settings?: Record<string, unknown> } = {}) {
  const store = await db.store.create({
    data: { platform: "shopify", domain: opts.domain ?? `loja-${next()}.myshopify.com`, name: "Empório Jabuticaba", currency: "BRL", timezone: "America/Sao_Paulo", locale: "pt-BR", settings: (opts.settings ?? {}) as object },
  });
  const saved = await saveEmailSettings(db, store.id, { provider: "smtp", fromName: "Empório Jabuticaba", fromAddress: "loja@jabuticaba.example", host: smtp.host, port: smtp.port, secure: false }, keys);
  if (!saved.ok) throw new Error(JSON.stringify(saved.errors));
  await ensureBuiltInFlows(db, store.id);
  return store;
}

export async function enableFlow(db: Db, storeId: number, template: string) {
  const flow = await db.flow.findFirstOrThrow({ where: { storeId, template }, include: { steps: { orderBy: { position: "asc" } } } });
  await db.flow.update({ where: { storeId_id: { storeId, id: flow.id } }, data: { enabled: true } });
  return flow;
}

export async function createCustomer(db: Db, storeId: number, c: { email: string; firstName: string; locale?: string; consent?: boolean }) {
  return db.customer.create({
    data: { storeId, platformId: next().replace(/\D/g, "") || String(++seq), email: c.email, firstName: c.firstName, lastName: "Silva", locale: c.locale ?? null, acceptsEmailMarketing: c.consent ?? true },
  });
}

export async function createCheckout(db: Db, storeId: number, customerId: number, startedAt: Date) {
  return db.checkout.create({
    data: {
      storeId,
      platformId: `chk-${next()}`,
      customerId,
      email: "x@example.com",
      recoveryUrl: `https://jabuticaba.example/checkouts/recover/${next()}`,
      currency: "BRL",
      totalMinor: 18990n,
      lines: [
        { productId: "101", variantId: "1011", title: "Café especial <torra média>", quantity: 2, unitPriceMinor: 7990, imageUrl: "https://cdn.example/cafe.jpg" },
        { productId: "102", variantId: "1021", title: "Caneca", quantity: 1, unitPriceMinor: 3010, imageUrl: null },
      ],
      startedAt,
      platformUpdatedAt: startedAt,
    },
  });
}

export async function createOrder(db: Db, storeId: number, customerId: number, placedAt: Date, totalMinor = 18990n, financialStatus: "paid" | "pending" = "paid") {
  return db.order.create({
    data: { storeId, platformId: `ord-${next()}`, name: `#${1000 + seq}`, customerId, currency: "BRL", totalMinor, subtotalMinor: totalMinor, financialStatus, placedAt, lines: { create: [{ title: "Café especial", quantity: 1, unitPriceMinor: totalMinor, totalMinor, productId: "101" }] } },
  });
}

export async function createPendingPayment(db: Db, storeId: number, customerId: number, placedAt: Date, method: PaymentMethod, dueAt: Date | null) {
  const order = await createOrder(db, storeId, customerId, placedAt, 25000n, "pending");
  const payment = await db.payment.create({
    data: {
      storeId,
      orderId: order.id,
      platformId: `pay-${next()}`,
      method,
      status: "pending",
      amountMinor: 25000n,
      currency: "BRL",
      boletoUrl: method === "boleto" ? "https://boleto.example/b/123.pdf" : null,
      boletoBarcode: method === "boleto" ? "34191.79001 01043.510047 91020.150008 7 91230000025000" : null,
      pixCode: method === "pix" ? "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865406250.005802BR5913Jabuticaba6009SAO PAULO62070503***6304ABCD" : null,
      dueAt,
    },
  });
  return { order, payment };
}
