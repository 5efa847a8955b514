// WooCommerce deliveries over real HTTP, from the simulator to the real app: webhooks registered
// through the REST API (the ping must pass), signature first, duplicates and out-of-order
// deliveries converging to the newest state, deletions, guests, never failing a delivery for our
// own reasons, the watcher healing disabled and deleted webhooks, and stores kept apart.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "@prisma/client";
import { ensureWooStore, saveWooCredentials, wooClientForStore } from "../../app/jobs/woocommerce-connection.server.ts";
import { registerWooWebhooks } from "../../app/jobs/woocommerce-backfill.server.ts";
import { watchWooWebhooks } from "../../app/jobs/woocommerce-maintenance.server.ts";
import { WOO_WEBHOOK_TOPICS } from "../../adapters/woocommerce/webhooks.server.ts";
import { phpJson, startWooSimulator, type WooSimulator } from "../support/woocommerce-simulator.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

let app: TestApp;
let sim: WooSimulator;
let store: Store;
let secret: string;

async function connect(s: WooSimulator, name: string): Promise<{ store: Store; secret: string }> {
  const created = await ensureWooStore(app.services, s.url, name);
  const creds = await saveWooCredentials(app.services, created.id, { consumerKey: s.consumerKey, consumerSecret: s.consumerSecret });
  await registerWooWebhooks(app.services, created.id, await wooClientForStore(app.services, created.id));
  return { store: created, secret: creds.webhookSecret };
}

/** POST a delivery by hand, signed with `key`, with WooCommerce's headers. */
function post(storeId: number | string, topic: string, body: string, key: string, extra: Record<string, string> = {}) {
  const [resource, event] = topic.split(".");
  return fetch(`${app.url}/webhooks/woocommerce/${storeId}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-WC-Webhook-Topic": topic,
      "X-WC-Webhook-Resource": resource!,
      "X-WC-Webhook-Event": event!,
      "X-WC-Webhook-ID": "99",
      "X-WC-Webhook-Delivery-ID": Math.random().toString(16).slice(2),
      "X-WC-Webhook-Signature": createHmac("sha256", key).update(body).digest("base64"),
      ...extra,
    },
    body,
  });
}

beforeAll(async () => {
  app = await startTestApp();
  app.services.config.appUrl = app.url;
  sim = await startWooSimulator({ seed: 11, customers: 60 });
  ({ store, secret } = await connect(sim, "Loja Woo A"));
});
afterAll(async () => {
  await sim?.close();
  await app?.close();
});

const receipts = () => app.services.db.webhookReceipt.findMany({ where: { storeId: store.id }, orderBy: { id: "asc" } });

describe("WooCommerce webhooks", () => {
  it("registers our webhooks through the API and answers WooCommerce's ping", async () => {
    const hooks = sim.webhooks();
    expect(hooks.map((h) => h.topic).sort()).toEqual([...WOO_WEBHOOK_TOPICS].sort());
    expect(hooks.every((h) => h.status === "active" && h.delivery_url === `${app.url}/webhooks/woocommerce/${store.id}`)).toBe(true);
    const ping = await fetch(`${app.url}/webhooks/woocommerce/${store.id}`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "webhook_id=7" });
    expect(ping.status).toBe(200);
    expect(await receipts()).toHaveLength(0);
  });

  it("refuses a bad signature with 401 and stores nothing; unknown stores get 404", async () => {
    const id = sim.customerIds()[0]!;
    const results = await sim.deliver("customer.updated", sim.customer(id), { secret: "not-the-secret" });
    expect(results.every((r) => r.status === 401)).toBe(true);
    const unsigned = await fetch(`${app.url}/webhooks/woocommerce/${store.id}`, { method: "POST", headers: { "X-WC-Webhook-Topic": "customer.updated" }, body: "{}" });
    expect(unsigned.status).toBe(401);
    expect((await post(999_999, "customer.updated", "{}", secret)).status).toBe(404);
    expect((await post("abc", "customer.updated", "{}", secret)).status).toBe(404);
    expect(await receipts()).toHaveLength(0);
  });

  it("stores a customer change once, however often it is delivered (the delivery id changes each time)", async () => {
    const id = sim.customerIds()[1]!;
    const results = await sim.updateCustomer(id, { first_name: "Beatriz" });
    expect(results.map((r) => r.status)).toEqual([200]);
    const same = sim.customer(id);
    expect((await sim.deliver("customer.updated", same)).map((r) => r.status)).toEqual([200]);
    expect((await post(store.id, "customer.updated", phpJson(same), secret)).status).toBe(200);
    await app.drain();
    expect((await receipts()).filter((r) => r.resourceId === String(id))).toHaveLength(1);
    const row = await app.services.db.customer.findUniqueOrThrow({ where: { storeId_platformId: { storeId: store.id, platformId: String(id) } } });
    expect(row.firstName).toBe("Beatriz");
    expect(row.taxId).toMatch(/^\d{11}$/);
    expect(row.birthDate).not.toBeNull();
  });

  it("lets the newest date_modified win when an older order state arrives last", async () => {
    const id = sim.orderIds((o) => o.status === "on-hold" && o.payment_method === "pagbank_boleto")[0]!;
    const unpaid = sim.order(id);
    await sim.updateOrder(id, { status: "processing", date_paid_gmt: "2026-11-20T16:00:00", date_paid: "2026-11-20T13:00:00" });
    expect((await sim.deliver("order.updated", unpaid)).map((r) => r.status)).toEqual([200]);
    await app.drain();
    const order = await app.services.db.order.findUniqueOrThrow({ where: { storeId_platformId: { storeId: store.id, platformId: String(id) } }, include: { payments: true } });
    expect(order.financialStatus).toBe("paid");
    expect(order.payments).toEqual([expect.objectContaining({ method: "boleto", status: "paid" })]);
    expect(order.payments[0]!.boletoBarcode).toMatch(/^\d{47}$/);
    expect((await receipts()).filter((r) => r.resourceId === String(id))).toHaveLength(2);
  });

  it("follows a guest's unpaid Pix order and a deleted customer", async () => {
    const guestOrder = sim.orderIds((o) => o.customer_id === 0 && (o.billing as { email: string }).email !== "" && o.status !== "checkout-draft")[0]!;
    await sim.updateOrder(guestOrder, { status: "on-hold", payment_method: "woo-pagarme-payments-pix", date_paid_gmt: null });
    const registered = sim.customerIds()[2]!;
    await sim.updateCustomer(registered, { last_name: "Antes" });
    await app.drain();
    await sim.deleteCustomer(registered);
    await app.drain();
    const email = (sim.order(guestOrder).billing as { email: string }).email.toLowerCase();
    const order = await app.services.db.order.findUniqueOrThrow({ where: { storeId_platformId: { storeId: store.id, platformId: String(guestOrder) } }, include: { customer: true, payments: true } });
    expect(order.customer?.platformId).toBe(`guest:${email}`);
    expect(order.payments[0]).toMatchObject({ method: "pix", status: "pending" });
    expect(await app.services.db.customer.count({ where: { storeId: store.id, platformId: String(registered) } })).toBe(0);
  });

  it("never fails a delivery for our own reasons: unknown topics and unreadable bodies are 200 and recorded", async () => {
    expect((await post(store.id, "coupon.created", phpJson({ id: 5, date_modified_gmt: "2026-11-20T10:00:00" }), secret)).status).toBe(200);
    expect((await post(store.id, "order.updated", '{"id": 77, "status": "processing", "total": ', secret)).status).toBe(200);
    expect((await post(store.id, "order.updated", phpJson({ id: 78, status: "processing", currency: "R$", total: "1", date_modified_gmt: "2026-11-20T10:00:00" }), secret)).status).toBe(200);
    await app.drain();
    const rows = await receipts();
    expect(rows.find((r) => r.topic === "coupon.created")?.status).toBe("skipped");
    const failed = rows.filter((r) => r.status === "failed");
    expect(failed).toHaveLength(2);
    expect(failed.map((f) => f.error).join("\n")).toMatch(/JSON[\s\S]*currency/);
  });

  it("re-enables webhooks WooCommerce disabled after 5 failures and recreates deleted ones", async () => {
    const id = sim.customerIds()[3]!;
    for (let i = 0; i < 6; i++) await sim.deliver("customer.updated", sim.customer(id), { secret: "rotated-elsewhere" });
    const disabled = sim.webhooks().find((h) => h.topic === "customer.updated")!;
    expect(disabled.status).toBe("disabled");
    const deleted = sim.webhooks().find((h) => h.topic === "product.updated")!;
    sim.deleteWebhook(deleted.id);
    sim.setWebhookStatus(sim.webhooks().find((h) => h.topic === "order.created")!.id, "paused");
    expect(await watchWooWebhooks(app.services)).toBe(3);
    const after = sim.webhooks();
    expect(after.filter((h) => h.status === "active")).toHaveLength(WOO_WEBHOOK_TOPICS.length);
    expect(after.filter((h) => h.topic === "product.updated")).toHaveLength(1);
    expect((await sim.updateCustomer(id, { first_name: "De volta" })).map((r) => r.status)).toEqual([200]);
  });

  it("keeps stores apart: another store's signature is refused, its data never mixes", async () => {
    const other = await startWooSimulator({ seed: 12, customers: 20 });
    try {
      const b = await connect(other, "Loja Woo B");
      expect(b.secret).not.toBe(secret);
      const id = other.customerIds()[0]!;
      // Store B's payload signed with B's secret, sent to A's URL: refused.
      expect((await post(store.id, "customer.updated", phpJson(other.customer(id)), b.secret)).status).toBe(401);
      expect((await other.updateCustomer(id, { first_name: "Só na B" })).map((r) => r.status)).toEqual([200]);
      await app.drain();
      const inB = await app.services.db.customer.findMany({ where: { storeId: b.store.id } });
      expect(inB.map((c) => c.firstName)).toEqual(["Só na B"]);
      expect(await app.services.db.customer.count({ where: { storeId: store.id, firstName: "Só na B" } })).toBe(0);
      // A Shopify store's id in a WooCommerce URL is not a WooCommerce store.
      const shopify = await app.services.db.store.create({ data: { platform: "shopify", domain: "x.myshopify.com", name: "X" } });
      expect((await post(shopify.id, "customer.updated", "{}", secret)).status).toBe(404);
    } finally {
      await other.close();
    }
  });

  it("registers one set of webhooks when two registrations run at once (connect page, backfill job)", async () => {
    const other = await startWooSimulator({ seed: 13, customers: 5 });
    try {
      const created = await ensureWooStore(app.services, other.url, "Loja Woo C");
      await saveWooCredentials(app.services, created.id, { consumerKey: other.consumerKey, consumerSecret: other.consumerSecret });
      const client = await wooClientForStore(app.services, created.id);
      await Promise.all([registerWooWebhooks(app.services, created.id, client), registerWooWebhooks(app.services, created.id, client)]);
      const topics = other.webhooks().map((h) => h.topic).sort();
      expect(topics).toEqual([...WOO_WEBHOOK_TOPICS].sort());
    } finally {
      await other.close();
    }
  });
});
