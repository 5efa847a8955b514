// The 360° profile through the real app: everything about one customer (orders with items and
// pages, payments waiting, open checkouts, messages, segments, RFM history, timeline), tags added
// on Shopify (the Admin API simulator) and in our copy, clear field errors that change nothing,
// and another store's customer answering 404 to reads and writes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { startAdminSimulator, type AdminSimulator } from "../support/shopify-admin-simulator.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { recomputeAllCustomerStats } from "../../app/core/ingest/customer-stats.server.ts";
import { rescoreRfm } from "../../app/core/analytics/rfm.server.ts";

const SHOP = "profile-a.myshopify.com";
let sim: AdminSimulator;
let app: TestApp;
let cookie: string;
let storeA: number;
let storeB: number;
let customerId: number;
let foreignId: number;
let gid: string;

const DATA = "routes%2Fapp.customers.%24customerId";

beforeAll(async () => {
  sim = await startAdminSimulator({ store: { seed: 7, customers: 5, shopDomain: SHOP }, accessToken: "shpat_profile" });
  app = await startTestApp({ SHOPIFY_ADMIN_ORIGIN: sim.origin }, { workers: false });
  const { db } = app.services;
  storeA = (await db.store.create({ data: { platform: "shopify", domain: SHOP, name: "Profile A", currency: "BRL" } })).id;
  storeB = (await db.store.create({ data: { platform: "woocommerce", domain: "b.example", name: "Profile B", currency: "BRL" } })).id;
  await db.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: "shpat_profile" } });
  const platformId = String(sim.store.plan.customers[0]!.id);
  gid = `gid://shopify/Customer/${platformId}`;
  const c = await db.customer.create({
    data: { storeId: storeA, platformId, firstName: "Maria", lastName: "Aparecida", email: "maria@example.com", phone: "+5511987654321", taxId: "12345678909", acceptsEmailMarketing: true, tags: ["cliente-antiga"], addresses: [{ address1: "Rua A, 10", city: "Campinas", province: "SP", zip: "13000-000", country: "BR" }] },
  });
  customerId = c.id;
  foreignId = (await db.customer.create({ data: { storeId: storeB, platformId: "42", firstName: "Outra", email: "outra@example.com", tags: ["b-only"] } })).id;
  const at = (daysAgo: number) => Prisma.sql`(now() AT TIME ZONE 'UTC') - make_interval(days => ${daysAgo})`;
  for (let i = 0; i < 12; i++) {
    await db.$executeRaw`INSERT INTO "Order" ("storeId", "platformId", name, "customerId", currency, "totalMinor", "financialStatus", "paymentMethod", "placedAt", "updatedAt")
      VALUES (${storeA}, ${`o-${i}`}, ${`#${2000 + i}`}, ${customerId}, 'BRL', ${BigInt(5000 + i * 100)}, ${i === 0 ? "pending" : "paid"}::"FinancialStatus", ${i === 0 ? "boleto" : "card"}::"PaymentMethod", ${at(i * 20)}, now())`;
  }
  const newest = await db.order.findFirstOrThrow({ where: { storeId: storeA, platformId: "o-0" } });
  await db.orderLine.createMany({ data: [{ storeId: storeA, orderId: newest.id, title: "Café especial", sku: "CAF-1", quantity: 2, unitPriceMinor: 2500n, totalMinor: 5000n }] });
  await db.payment.create({ data: { storeId: storeA, orderId: newest.id, platformId: "p-0", method: "boleto", status: "pending", amountMinor: 5000n, currency: "BRL", boletoUrl: "https://boleto.example/1", dueAt: new Date(Date.now() + 3 * 86_400_000) } });
  await db.checkout.create({ data: { storeId: storeA, platformId: "ck-1", customerId, currency: "BRL", totalMinor: 9900n, startedAt: new Date(Date.now() - 86_400_000), lines: [{ title: "Chá" }] } });
  await db.message.create({ data: { storeId: storeA, customerId, idempotencyKey: "m-1", to: "maria@example.com", subject: "Seu carrinho", status: "sent", sentAt: new Date(Date.now() - 3_600_000), openedAt: new Date(Date.now() - 1_800_000) } });
  const segment = await db.segment.create({ data: { storeId: storeA, name: "Fiéis de SP", filter: {} } });
  await db.segmentMember.create({ data: { storeId: storeA, segmentId: segment.id, customerId } });
  await db.event.create({ data: { storeId: storeA, customerId, type: "segment_entered", occurredAt: new Date(Date.now() - 7_200_000), data: { segmentName: "Fiéis de SP" } } });
  await recomputeAllCustomerStats(db, storeA);
  await rescoreRfm(db, storeA, undefined, new Date(Date.now() - 86_400_000));
  await rescoreRfm(db, storeA);
  const login = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = login.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
});

type Profile = {
  customer: { firstName: string; tags: string[]; addresses: { city: string }[] };
  stats: { ordersCount: number; rfmSegment: string | null } | null;
  orders: { total: number; page: number; pages: number; rows: { name: string; lines: { title: string; quantity: number }[] }[] };
  unpaid: { method: string; boletoUrl: string | null }[];
  openCheckouts: { totalMinor: string }[];
  messageCounts: { sent: number; opened: number; clicked: number };
  memberships: { name: string }[];
  rfmHistory: { segment: string }[];
  timeline: { kind: string; type?: string; label?: string | null }[];
};

const get = (id: number | string, search = "") => fetch(`${app.url}/app/customers/${id}?${search}${search ? "&" : ""}_data=${DATA}`, { headers: { Cookie: cookie } });
const post = (id: number, body: Record<string, string>) => fetch(`${app.url}/app/customers/${id}?_data=${DATA}`, { method: "POST", body: new URLSearchParams(body), headers: { Cookie: cookie } });

describe("customer profile", () => {
  it("shows identity, orders with items in pages, waiting payments, checkouts, messages, segments, RFM history and a timeline", async () => {
    const res = await get(customerId);
    expect(res.status).toBe(200);
    const p = (await res.json()) as Profile;
    expect(p.customer.firstName).toBe("Maria");
    expect(p.customer.addresses[0]!.city).toBe("Campinas");
    expect(p.stats!.ordersCount).toBe(11); // the pending boleto order does not count
    expect(p.orders).toMatchObject({ total: 12, page: 1, pages: 2 });
    expect(p.orders.rows).toHaveLength(10);
    expect(p.orders.rows[0]).toMatchObject({ name: "#2000", lines: [{ title: "Café especial", quantity: 2 }] });
    const page2 = (await (await get(customerId, "ordersPage=2")).json()) as Profile;
    expect(page2.orders.rows.map((o) => o.name)).toEqual(["#2010", "#2011"]);
    expect(p.unpaid).toEqual([expect.objectContaining({ method: "boleto", boletoUrl: "https://boleto.example/1" })]);
    expect(p.openCheckouts).toEqual([expect.objectContaining({ totalMinor: "9900" })]);
    expect(p.messageCounts).toEqual({ sent: 1, opened: 1, clicked: 0 });
    expect(p.memberships.map((m) => m.name)).toEqual(["Fiéis de SP"]);
    expect(p.rfmHistory).toHaveLength(2);
    expect(p.rfmHistory[0]!.segment).toBe(p.stats!.rfmSegment);
    const kinds = new Set(p.timeline.map((e) => e.kind));
    for (const k of ["order_placed", "payment_pending", "checkout_started", "message_sent", "message_opened", "event"]) expect(kinds, k).toContain(k);
    expect(p.timeline.find((e) => e.kind === "event")).toMatchObject({ type: "segment_entered", label: "Fiéis de SP" });

    const html = await (await fetch(`${app.url}/app/customers/${customerId}`, { headers: { Cookie: cookie } })).text();
    expect(html).toContain("Maria Aparecida");
    expect(html).toContain('id="customer-timeline"');
    expect(html).toContain(`/app/customers/${customerId}/data.json`);
  });

  it("answers 404 for another store's customer and for ids that are not ids, reading or writing", async () => {
    expect((await get(foreignId)).status).toBe(404);
    expect((await get("abc")).status).toBe(404);
    expect((await get(999_999)).status).toBe(404);
    expect((await post(foreignId, { intent: "addTag", tag: "hack" })).status).toBe(404);
    const foreign = await app.services.db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId: storeB, id: foreignId } } });
    expect(foreign.tags).toEqual(["b-only"]);
    // The page shows a plain "not found" in words.
    const html = await (await fetch(`${app.url}/app/customers/${foreignId}`, { headers: { Cookie: cookie } })).text();
    expect(html).toContain('id="page-error"');
  });

  it("adds a tag on Shopify and in our copy, once whatever its case; refuses bad tags with the field's error and changes nothing", async () => {
    const { db } = app.services;
    const ok = await post(customerId, { intent: "addTag", tag: "  Comprou no Natal " });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, intent: "addTag", added: true, pushed: "shopify" });
    expect(sim.tagsOf(gid)).toContain("Comprou no Natal");
    const again = await post(customerId, { intent: "addTag", tag: "comprou no natal" });
    expect(await again.json()).toMatchObject({ ok: true, added: false });
    expect((await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId: storeA, id: customerId } } })).tags).toEqual(["cliente-antiga", "Comprou no Natal"]);

    const calls = sim.tagCalls.length;
    for (const [tag, error] of [
      ["a,b", "tagComma"],
      ["   ", "tagEmpty"],
      ["x".repeat(256), "tagTooLong"],
    ] as const) {
      const res = await post(customerId, { intent: "addTag", tag });
      expect(res.status, tag).toBe(400);
      expect(await res.json()).toEqual({ ok: false, errors: { tag: error } });
    }
    const unknown = await post(customerId, { intent: "dropTable" });
    expect(unknown.status).toBe(400);
    expect(sim.tagCalls.length).toBe(calls);
    expect((await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId: storeA, id: customerId } } })).tags).toEqual(["cliente-antiga", "Comprou no Natal"]);
  });

  it("keeps the tag in our copy only for a WooCommerce store (no customer tags to write), and store B's admin cannot reach store A's customer", async () => {
    const { db } = app.services;
    const { standaloneSessions } = await import("../../app/auth/standalone.server.ts");
    const storage = standaloneSessions(app.services);
    const session = await storage.getSession(cookie);
    session.set("storeId", storeB);
    const asB = (await storage.commitSession(session)).split(";")[0]!;
    const calls = sim.tagCalls.length;
    const res = await fetch(`${app.url}/app/customers/${foreignId}?_data=${DATA}`, { method: "POST", body: new URLSearchParams({ intent: "addTag", tag: "atacado" }), headers: { Cookie: asB } });
    expect(await res.json()).toEqual({ ok: true, intent: "addTag", added: true, pushed: "local" });
    expect(sim.tagCalls.length).toBe(calls);
    expect((await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId: storeB, id: foreignId } } })).tags).toEqual(["b-only", "atacado"]);
    expect((await fetch(`${app.url}/app/customers/${customerId}?_data=${DATA}`, { headers: { Cookie: asB } })).status).toBe(404);
  });
});
