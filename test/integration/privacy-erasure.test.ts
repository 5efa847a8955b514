// Erasure end to end: a customer known through real Shopify deliveries (profile, order paid by
// boleto, abandoned checkout) and through every other area's tables (segments, flows, messages,
// storefront events, RFM history, a data-request export, a queued job) is erased from the admin;
// then every text/json column of every table in the database is searched for their name, e-mail,
// phone and CPF and nothing is found, while the store's totals stay the same. Late deliveries for
// the same Shopify id are stored anonymously, never re-creating the person. Shopify's
// customers/redact and data_request and WooCommerce's customer.deleted travel the webhook path.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "@prisma/client";
import { postShopifyDelivery } from "../../app/demo/demo-store.server.ts";
import type { SimulatedDelivery } from "../../adapters/shopify/simulator/index.ts";
import { processReceipts } from "../../app/jobs/webhook-process.server.ts";
import { tombstoneFor } from "../../app/core/privacy/tombstone.server.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { adminCookieFor, expectNoTrace, findTraces } from "../support/privacy-helpers.ts";

let app: TestApp;
let store: Store;
let other: Store;
const SHOP = "loja-privacidade.myshopify.com";

const PERSON = { id: 7_770_001, first: "Zuleica", last: "Wanderlinde", email: "zuleica.wanderlinde@example.com.br", phone: "+5511987650001", cpf: "52998224725" };
const NEEDLES = [PERSON.first, PERSON.last, PERSON.email, "987650001", PERSON.cpf, "529.982.247-25"];
const AT = "2026-06-01T12:00:00-03:00";

let seq = 0;
const delivery = (topic: string, body: Record<string, unknown>, at = AT): SimulatedDelivery => ({ topic, webhookId: `priv-${++seq}`, triggeredAt: at, body });

const customerBody = (p: typeof PERSON, at = AT) => ({
  id: p.id,
  email: p.email,
  phone: p.phone,
  first_name: p.first,
  last_name: p.last,
  note: `Cliente ${p.first} prefere entrega à tarde`,
  tags: `vip, ${p.last.toLowerCase()}`,
  created_at: "2026-01-01T10:00:00-03:00",
  updated_at: at,
  currency: "BRL",
  addresses: [{ first_name: p.first, last_name: p.last, address1: "Rua das Flores 12", city: "Campinas", province_code: "SP", country_code: "BR", zip: "13010-000", phone: p.phone }],
  default_address: { first_name: p.first, last_name: p.last, address1: "Rua das Flores 12", city: "Campinas", province_code: "SP", country_code: "BR", zip: "13010-000", phone: p.phone },
});

const orderBody = (p: typeof PERSON, orderId: number, total: string, at = AT) => ({
  id: orderId,
  name: `#${orderId}`,
  email: p.email,
  phone: p.phone,
  currency: "BRL",
  created_at: at,
  processed_at: at,
  updated_at: at,
  financial_status: "pending",
  total_price: total,
  subtotal_price: total,
  total_line_items_price: total,
  total_discounts: "0.00",
  total_tax: "0.00",
  gateway: "boleto",
  payment_gateway_names: ["Boleto Bancário"],
  landing_site: `/?utm_source=email&email=${encodeURIComponent(p.email)}`,
  referring_site: `https://mail.example.com/?to=${encodeURIComponent(p.email)}`,
  source_name: "web",
  note_attributes: [
    { name: "boleto url", value: `https://boleto.example.com/${p.first}` },
    { name: "linha digitavel", value: "23790.50400 41990.901234 56000.123456 7 99990000010000" },
  ],
  billing_address: { first_name: p.first, last_name: p.last, address1: "Rua das Flores 12", city: "Campinas", phone: p.phone },
  line_items: [{ id: orderId * 10, product_id: 77, variant_id: 78, title: "Café especial", quantity: 1, price: total, total_discount: "0.00" }],
  customer: customerBody(p, at),
});

const checkoutBody = (p: typeof PERSON) => ({
  id: 880001,
  token: "chk-priv-1",
  email: p.email,
  phone: p.phone,
  currency: "BRL",
  created_at: AT,
  updated_at: AT,
  total_price: "59.90",
  abandoned_checkout_url: `https://loja.example.com/checkouts/recover?email=${encodeURIComponent(p.email)}`,
  line_items: [{ product_id: 77, variant_id: 78, title: "Café especial", quantity: 1, price: "59.90" }],
  customer: customerBody(p),
});

const BYSTANDER = { id: 7_770_002, first: "Gertrudes", last: "Bystander", email: "gertrudes@example.com.br", phone: "+5521999990002", cpf: "11144477735" };

async function send(d: SimulatedDelivery, shop = SHOP) {
  const res = await postShopifyDelivery(`${app.url}/webhooks/shopify`, shop, app.services.secrets.shopifyWebhookSecret, d);
  expect(res.status).toBe(200);
}

async function totals(storeId: number) {
  const [row] = await app.services.db.$queryRaw<{ orders: number; sum: bigint }[]>`SELECT count(*)::int AS orders, COALESCE(sum("totalMinor"), 0)::bigint AS sum FROM "Order" WHERE "storeId" = ${storeId}`;
  return { ...row!, messages: await app.services.db.message.count({ where: { storeId } }) };
}

beforeAll(async () => {
  app = await startTestApp();
  const { db } = app.services;
  store = await db.store.create({ data: { platform: "shopify", domain: SHOP, name: "Loja Privacidade" } });
  other = await db.store.create({ data: { platform: "shopify", domain: "loja-vizinha.myshopify.com", name: "Vizinha" } });
  await send(delivery("customers/create", customerBody(PERSON)));
  await send(delivery("orders/create", orderBody(PERSON, 91001, "120.00")));
  await send(delivery("checkouts/create", checkoutBody(PERSON)));
  await send(delivery("customers/create", customerBody(BYSTANDER)));
  await send(delivery("orders/create", orderBody(BYSTANDER, 91002, "80.00")));
  await app.drain();
  const c = await db.customer.findUniqueOrThrow({ where: { storeId_platformId: { storeId: store.id, platformId: String(PERSON.id) } } });
  // What other areas and platforms add: CPF and birth date (WooCommerce Brazilian Market), segments,
  // flows, messages, storefront events (one tied only by e-mail), RFM history, a queued job.
  await db.customer.update({ where: { storeId_id: { storeId: store.id, id: c.id } }, data: { taxId: PERSON.cpf, birthDate: new Date("1990-04-02"), gender: "female" } });
  const seg = await db.segment.create({ data: { storeId: store.id, name: "Compradores de café", filter: {} } });
  await db.segmentMember.create({ data: { storeId: store.id, segmentId: seg.id, customerId: c.id } });
  const flow = await db.flow.create({ data: { storeId: store.id, name: "Boleto pendente", template: "unpaid_boleto", trigger: { type: "payment_pending" } } });
  await db.flowEnrollment.create({ data: { storeId: store.id, flowId: flow.id, customerId: c.id, triggerKey: "payment:1" } });
  await db.message.create({ data: { storeId: store.id, customerId: c.id, flowId: flow.id, idempotencyKey: `m-${c.id}-1`, to: PERSON.email, subject: `${PERSON.first}, seu boleto vence amanhã`, status: "sent" } });
  await db.message.create({ data: { storeId: store.id, customerId: c.id, flowId: flow.id, idempotencyKey: `m-${c.id}-2`, to: PERSON.email, subject: `${PERSON.first}, último aviso`, status: "queued" } });
  await db.mailchimpMember.create({ data: { storeId: store.id, customerId: c.id, listId: "l1", subscriberHash: "abc", email: PERSON.email, status: "subscribed", mergeHash: "h", tags: [PERSON.last] } });
  await db.event.create({ data: { storeId: store.id, customerId: c.id, type: "message.sent", occurredAt: new Date(), data: { to: PERSON.email } } });
  await db.event.create({ data: { storeId: store.id, customerId: null, type: "storefront.page_viewed", occurredAt: new Date(), data: { customer: { email: PERSON.email }, url: "/produtos/cafe" } } });
  const run = await db.rfmRun.create({ data: { storeId: store.id } });
  await db.rfmSnapshot.create({ data: { storeId: store.id, runId: run.id, customerId: c.id, rScore: 5, fScore: 1, mScore: 3, segment: "New" } });
  await app.services.boss.send("privacy.retention", { storeId: store.id, customerId: c.id, note: `lembrar ${PERSON.email}` }, { startAfter: 3600 });
  // A data request made earlier: its export holds everything, and must go too.
  await send(delivery("customers/data_request", { shop_id: 1, shop_domain: SHOP, customer: { id: PERSON.id, email: PERSON.email, phone: PERSON.phone }, orders_requested: [91001], data_request: { id: 55 } }));
  await app.drain();
}, 120_000);
afterAll(async () => app?.close());

describe("customer erasure", () => {
  it("Shopify customers/data_request prepares a complete export for the merchant", async () => {
    const req = await app.services.db.privacyRequest.findFirstOrThrow({ where: { storeId: store.id, kind: "data_request", source: "shopify" } });
    expect(req.status).toBe("done");
    const data = req.export as { customer: { email: string; taxId: string }; orders: { name: string; payments: { boletoUrl: string }[] }[]; checkouts: unknown[]; segments: { name: string }[]; messages: unknown[]; events: { type: string }[]; scores: unknown; meanings: Record<string, string> };
    expect(data.customer.email).toBe(PERSON.email);
    expect(data.customer.taxId).toBe(PERSON.cpf);
    expect(data.orders.map((o) => o.name)).toEqual(["#91001"]);
    expect(data.orders[0]!.payments[0]!.boletoUrl).toContain(PERSON.first);
    expect(data.checkouts).toHaveLength(1);
    expect(data.segments.map((s) => s.name)).toEqual(["Compradores de café"]);
    expect(data.messages).toHaveLength(2);
    // The customer's own events and the storefront visit that names them only by e-mail (the
    // events an erasure deletes); orders and checkouts are exported from their own tables.
    expect(data.events.map((e) => e.type).sort()).toEqual(["message.sent", "storefront.page_viewed"]);
    expect(data.meanings.churnRisk).toMatch(/90 days/);
    // The request's raw body (it names the person) is not kept once handled.
    const receipt = await app.services.db.webhookReceipt.findFirstOrThrow({ where: { storeId: store.id, topic: "customers/data_request" } });
    expect(receipt.status).toBe("processed");
    expect(receipt.body).toBeNull();
  });

  it("the admin download is the same export, and another store's customer is a 404", async () => {
    const c = await app.services.db.customer.findUniqueOrThrow({ where: { storeId_platformId: { storeId: store.id, platformId: String(PERSON.id) } } });
    const res = await fetch(`${app.url}/app/customers/${c.id}/data.json`, { headers: { Cookie: await adminCookieFor(app.services, store.id) } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="customer-\d+-data\.json"/);
    const body = (await res.json()) as { customer: { email: string }; orders: unknown[] };
    expect(body.customer.email).toBe(PERSON.email);
    expect(body.orders).toHaveLength(1);
    const foreign = await fetch(`${app.url}/app/customers/${c.id}/data.json`, { headers: { Cookie: await adminCookieFor(app.services, other.id) } });
    expect(foreign.status).toBe(404);
    const foreignErase = await fetch(`${app.url}/app/customers/${c.id}/erase`, { method: "POST", headers: { Cookie: await adminCookieFor(app.services, other.id) } });
    expect(foreignErase.status).toBe(404);
    expect(await app.services.db.customer.count({ where: { storeId: store.id, erasedAt: { not: null } } })).toBe(0);
  });

  it("refuses GET and bad input on the erase route, erasing nothing", async () => {
    const c = await app.services.db.customer.findUniqueOrThrow({ where: { storeId_platformId: { storeId: store.id, platformId: String(PERSON.id) } } });
    const cookie = await adminCookieFor(app.services, store.id);
    expect((await fetch(`${app.url}/app/customers/${c.id}/erase`, { headers: { Cookie: cookie } })).status).toBe(405);
    const bad = await fetch(`${app.url}/app/customers/${c.id}/erase`, { method: "POST", headers: { Cookie: cookie }, body: new URLSearchParams({ reason: "x".repeat(501) }) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/reason/);
    const badRedirect = await fetch(`${app.url}/app/customers/${c.id}/erase`, { method: "POST", headers: { Cookie: cookie }, body: new URLSearchParams({ redirectTo: "https://evil.example.com/" }) });
    expect(badRedirect.status).toBe(400);
    expect(await badRedirect.text()).toMatch(/redirectTo/);
    expect((await fetch(`${app.url}/app/customers/abc/erase`, { method: "POST", headers: { Cookie: cookie } })).status).toBe(404);
    expect((await app.services.db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId: store.id, id: c.id } } })).erasedAt).toBeNull();
  });

  it("erases the customer everywhere: no table holds their name, e-mail, phone or CPF; totals unchanged", async () => {
    const { db } = app.services;
    const c = await db.customer.findUniqueOrThrow({ where: { storeId_platformId: { storeId: store.id, platformId: String(PERSON.id) } } });
    const before = await totals(store.id);
    const bystanderBefore = await db.customer.findUniqueOrThrow({ where: { storeId_platformId: { storeId: store.id, platformId: String(BYSTANDER.id) } } });
    // The walk does find the person before: in every kind of place the erasure must reach.
    const seen = new Set((await findTraces(app.services.databaseUrl, NEEDLES)).traces.map((t) => t.table));
    for (const table of ["public.Customer", "public.Order", "public.Payment", "public.Checkout", "public.Message", "public.Event", "public.WebhookReceipt", "public.PrivacyRequest", "public.MailchimpMember", "pgboss.job"]) {
      expect(seen).toContain(table);
    }
    const res = await fetch(`${app.url}/app/customers/${c.id}/erase`, {
      method: "POST",
      headers: { Cookie: await adminCookieFor(app.services, store.id) },
      body: new URLSearchParams({ reason: "pedido do titular por e-mail" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ erased: true, customerId: c.id });

    const checked = await expectNoTrace(app.services.databaseUrl, NEEDLES);
    expect(checked).toBeGreaterThan(100); // every column of every table, pg-boss's included

    const erased = await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId: store.id, id: c.id } } });
    expect(erased.erasedAt).not.toBeNull();
    expect(erased.platformId).toBe(tombstoneFor(store.id, String(PERSON.id)));
    expect(erased.province).toBe("SP"); // regional totals keep working
    expect(await totals(store.id)).toEqual(before);
    expect(await db.order.count({ where: { storeId: store.id, customerId: c.id } })).toBe(1);
    expect(await db.segmentMember.count({ where: { storeId: store.id, customerId: c.id } })).toBe(0);
    expect(await db.rfmSnapshot.count({ where: { storeId: store.id, customerId: c.id } })).toBe(0);
    expect((await db.flowEnrollment.findFirstOrThrow({ where: { storeId: store.id, customerId: c.id } })).status).toBe("stopped");
    const messages = await db.message.findMany({ where: { storeId: store.id, customerId: c.id }, orderBy: { id: "asc" } });
    expect(messages.map((m) => [m.to, m.status])).toEqual([["erased", "sent"], ["erased", "cancelled"]]);
    expect(await db.mailchimpMember.count({ where: { storeId: store.id, customerId: c.id } })).toBe(0);
    const request = await db.privacyRequest.findFirstOrThrow({ where: { storeId: store.id, kind: "erasure" } });
    expect(request).toMatchObject({ source: "admin", status: "done", customerId: c.id, reason: "pedido do titular por e-mail" });
    // Nobody else was touched.
    expect(await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId: store.id, id: bystanderBefore.id } } })).toEqual(bystanderBefore);
    const bystanderOrder = await db.order.findFirstOrThrow({ where: { storeId: store.id, customerId: bystanderBefore.id }, include: { payments: true } });
    expect(bystanderOrder.email).toBe(BYSTANDER.email);
    expect(bystanderOrder.payments[0]?.boletoUrl).toContain(BYSTANDER.first);
  });

  it("a late delivery for the erased Shopify id is stored anonymously and never re-creates the person", async () => {
    const { db } = app.services;
    const before = await db.customer.count({ where: { storeId: store.id } });
    await send(delivery("customers/update", customerBody(PERSON, "2026-05-30T12:00:00-03:00")));
    await send(delivery("orders/create", orderBody(PERSON, 91003, "45.50", "2026-05-31T12:00:00-03:00")));
    await app.drain();
    expect(await db.customer.count({ where: { storeId: store.id } })).toBe(before);
    expect(await db.customer.count({ where: { storeId: store.id, platformId: String(PERSON.id) } })).toBe(0);
    const late = await db.order.findUniqueOrThrow({ where: { storeId_platformId: { storeId: store.id, platformId: "91003" } }, include: { payments: true } });
    const anonymous = await db.customer.findFirstOrThrow({ where: { storeId: store.id, erasedAt: { not: null } } });
    expect(late.customerId).toBe(anonymous.id);
    expect(late.totalMinor).toBe(4550n);
    expect(late.email).toBeNull();
    expect(late.payments.every((p) => p.boletoUrl === null && p.boletoBarcode === null)).toBe(true);
    await expectNoTrace(app.services.databaseUrl, NEEDLES);
  });

  it("Shopify customers/redact erases through the webhook path (a replay changes nothing)", async () => {
    const { db } = app.services;
    const d = delivery("customers/redact", { shop_id: 1, shop_domain: SHOP, customer: { id: BYSTANDER.id, email: BYSTANDER.email, phone: BYSTANDER.phone }, orders_to_redact: [91002] });
    await send(d);
    await send(d); // Shopify retries with the same webhook id
    await app.drain();
    await expectNoTrace(app.services.databaseUrl, [BYSTANDER.first, BYSTANDER.last, BYSTANDER.email, "999990002"]);
    const requests = await db.privacyRequest.findMany({ where: { storeId: store.id, kind: "erasure", source: "shopify" } });
    expect(requests).toHaveLength(1);
    expect((await db.order.findUniqueOrThrow({ where: { storeId_platformId: { storeId: store.id, platformId: "91002" } } })).totalMinor).toBe(8000n);
  });

  it("a malformed customers/redact fails with the reason and erases nothing", async () => {
    const { db } = app.services;
    const erasedBefore = await db.customer.count({ where: { erasedAt: { not: null } } });
    await send(delivery("customers/redact", { shop_id: 1, shop_domain: SHOP, customer: { id: { nested: true } }, orders_to_redact: "91001" }));
    await app.drain();
    const r = await db.webhookReceipt.findFirstOrThrow({ where: { storeId: store.id, topic: "customers/redact", status: "failed" } });
    expect(r.error).toMatch(/customer\.id/);
    expect(r.error).toMatch(/orders_to_redact/);
    expect(await db.customer.count({ where: { erasedAt: { not: null } } })).toBe(erasedBefore);
  });

  it("WooCommerce customer.deleted is an erasure (decided: the merchant deleted the account)", async () => {
    const { db } = app.services;
    const woo = await db.store.create({ data: { platform: "woocommerce", domain: "loja-woo.example.com", name: "Woo" } });
    const c = await db.customer.create({ data: { storeId: woo.id, platformId: "42", email: "woo.person@example.com", firstName: "Filisberta", lastName: "Woo", taxId: "39053344705" } });
    await db.order.create({ data: { storeId: woo.id, platformId: "500", customerId: c.id, email: "woo.person@example.com", currency: "BRL", totalMinor: 1000n, placedAt: new Date() } });
    const receipt = await db.webhookReceipt.create({ data: { storeId: woo.id, platform: "woocommerce", topic: "customer.deleted", dedupeKey: "customer:42:deleted", resourceId: "42", body: JSON.stringify({ id: 42 }) } });
    const older = await db.webhookReceipt.create({
      data: { storeId: woo.id, platform: "woocommerce", topic: "customer.updated", dedupeKey: "customer:42:old", resourceId: "42", body: JSON.stringify({ id: 42, email: "woo.person@example.com", first_name: "Filisberta" }), status: "processed" },
    });
    expect(await processReceipts(app.services, woo.id, [receipt.id])).toEqual([]);
    const after = await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId: woo.id, id: c.id } } });
    expect(after.erasedAt).not.toBeNull();
    expect(after.email).toBeNull();
    expect((await db.webhookReceipt.findUniqueOrThrow({ where: { storeId_id: { storeId: woo.id, id: older.id } } })).body).toBeNull();
    expect((await db.order.findFirstOrThrow({ where: { storeId: woo.id } })).totalMinor).toBe(1000n);
    await expectNoTrace(app.services.databaseUrl, ["Filisberta", "woo.person@example.com", "39053344705"]);
  });
});
