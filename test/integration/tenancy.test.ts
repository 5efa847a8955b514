// Two stores holding customers with the same platform ids must never see each other's rows: not
// through the webhook path, not through the admin, and not even through a forged foreign key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { postShopifyDelivery } from "../../app/demo/demo-store.server.ts";
import type { SimulatedDelivery } from "../../adapters/shopify/simulator/index.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

let app: TestApp;
const shops = ["loja-a.myshopify.com", "loja-b.myshopify.com"] as const;
const storeIds: Record<string, number> = {};

function orderFor(shop: string, total: string, name: string): SimulatedDelivery {
  return {
    topic: "orders/create",
    webhookId: `${shop}-order-5001`,
    triggeredAt: "2026-06-01T12:00:00-03:00",
    body: {
      id: 5001,
      name: "#1001",
      email: "mesma@example.com",
      currency: "BRL",
      created_at: "2026-06-01T12:00:00-03:00",
      processed_at: "2026-06-01T12:00:00-03:00",
      updated_at: "2026-06-01T12:00:00-03:00",
      financial_status: "paid",
      total_price: total,
      subtotal_price: total,
      total_line_items_price: total,
      total_discounts: "0.00",
      total_tax: "0.00",
      payment_gateway_names: ["shopify_payments"],
      source_name: "web",
      line_items: [{ id: 1, product_id: 77, variant_id: 78, title: "Café especial", quantity: 1, price: total, total_discount: "0.00" }],
      customer: { id: 1001, email: "mesma@example.com", first_name: name, last_name: "Souza", updated_at: "2026-06-01T12:00:00-03:00", created_at: "2026-01-01T12:00:00-03:00" },
    },
  };
}

beforeAll(async () => {
  app = await startTestApp();
  for (const [i, shop] of shops.entries()) {
    const s = await app.services.db.store.create({ data: { platform: "shopify", domain: shop, name: `Loja ${i ? "B" : "A"}`, currency: "BRL" } });
    storeIds[shop] = s.id;
  }
  const secret = app.services.secrets.shopifyWebhookSecret;
  for (const [shop, total, name] of [[shops[0], "100.00", "Ana"], [shops[1], "250.50", "Bruna"]] as const) {
    expect((await postShopifyDelivery(`${app.url}/webhooks/shopify`, shop, secret, orderFor(shop, total, name))).status).toBe(200);
  }
  await app.drain();
});
afterAll(async () => app?.close());

async function login(): Promise<string> {
  const res = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  expect(res.status).toBe(302);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

describe("tenancy", () => {
  it("keeps same-id customers and orders apart per store", async () => {
    const { db } = app.services;
    for (const [shop, total, name] of [[shops[0], 10000n, "Ana"], [shops[1], 25050n, "Bruna"]] as const) {
      const storeId = storeIds[shop]!;
      const customers = await db.customer.findMany({ where: { storeId } });
      expect(customers.map((c) => [c.platformId, c.firstName])).toEqual([["1001", name]]);
      const orders = await db.order.findMany({ where: { storeId }, include: { lines: true, customer: true } });
      expect(orders).toHaveLength(1);
      expect(orders[0]!.totalMinor).toBe(total);
      expect(orders[0]!.customer!.firstName).toBe(name);
      expect(orders[0]!.lines.every((l) => l.storeId === storeId)).toBe(true);
      const stats = await db.customerStats.findMany({ where: { storeId } });
      expect(stats.map((s) => s.revenueMinor)).toEqual([total]);
    }
  });

  it("refuses, in the database itself, an order linked to another store's customer", async () => {
    const { db } = app.services;
    const bCustomer = await db.customer.findFirstOrThrow({ where: { storeId: storeIds[shops[1]]! } });
    await expect(
      db.$executeRaw(Prisma.sql`INSERT INTO "Order" ("storeId", "platformId", "customerId", currency, "totalMinor", "placedAt", "updatedAt")
        VALUES (${storeIds[shops[0]]!}, 'forged', ${bCustomer.id}, 'BRL', 1, now(), now())`),
    ).rejects.toThrow(/foreign key/i);
  });

  it("shows the standalone admin only the selected store's numbers", async () => {
    const cookie = await login();
    const { db } = app.services;
    // The admin's session picks the store; switch it through the session the way the UI will.
    const { standaloneSessions } = await import("../../app/auth/standalone.server.ts");
    const storage = standaloneSessions(app.services);
    for (const [shop, revenue] of [[shops[0], "10000"], [shops[1], "25050"]] as const) {
      const session = await storage.getSession(cookie);
      session.set("storeId", storeIds[shop]!);
      const scoped = (await storage.commitSession(session)).split(";")[0]!;
      const res = await fetch(`${app.url}/app?_data=${encodeURIComponent("routes/app._index")}`, { headers: { Cookie: scoped } });
      expect(res.status).toBe(200);
      const data = (await res.json()) as { overview: { customers: number; orders: number; revenueMinor: string } };
      expect(data.overview).toMatchObject({ customers: 1, orders: 1, revenueMinor: revenue });
    }
    expect(await db.customer.count()).toBe(2);
  });

  it("sends an unauthenticated admin request to the login page", async () => {
    const res = await fetch(`${app.url}/app`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?next=%2Fapp");
  });
});
