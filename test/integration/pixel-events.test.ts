// Web pixel ingestion on the real server: valid batches stored as storefront.* Events tied to known
// customers; anything invalid refused with a reason and nothing stored; a flood rate-limited.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.ts";

let app: TestApp;
let storeId = 0;
let key = "";
let anaId = 0;
let biaId = 0;

const event = (over: Record<string, unknown> = {}) => ({ name: "product_viewed", id: `e-${Math.random()}`, occurredAt: "2026-11-23T12:00:00.000Z", productId: "100", variantId: "1001", clientId: "c1", ...over });
const post = (body: unknown, k = key) =>
  fetch(`${app.url}/pixel/events?key=${k}`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: typeof body === "string" ? body : JSON.stringify(body) });

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  const store = await app.services.db.store.create({ data: { platform: "shopify", domain: "pixel.myshopify.com", name: "Pixel" } });
  storeId = store.id;
  key = store.publicToken;
  anaId = (await app.services.db.customer.create({ data: { storeId, platformId: "7001", email: "ana@example.com" } })).id;
  biaId = (await app.services.db.customer.create({ data: { storeId, platformId: "7002", email: "Bia@Example.com" } })).id;
});

afterAll(async () => {
  await app?.close();
});

describe("pixel ingestion", () => {
  it("stores a batch as storefront events, tying customers by id or email", async () => {
    const r = await post({
      events: [
        event({ name: "page_viewed", url: "https://pixel.example/" }),
        event({ customer: { id: "7001" } }),
        event({ name: "checkout_started", customer: { email: "bia@example.com" }, checkoutToken: "tok", value: { amount: 59.9, currency: "BRL" } }),
        event({ name: "product_added_to_cart", customer: { email: "unknown@example.com" }, quantity: 2 }),
      ],
    });
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ stored: 4 });
    const rows = await app.services.db.event.findMany({ where: { storeId }, orderBy: { id: "asc" } });
    expect(rows.map((e) => [e.type, e.customerId])).toEqual([
      ["storefront.page_viewed", null],
      ["storefront.product_viewed", anaId],
      ["storefront.checkout_started", biaId],
      ["storefront.product_added_to_cart", null],
    ]);
    expect(rows[3]!.data).toMatchObject({ productId: "100", quantity: 2, customer: { email: "unknown@example.com" } });
    expect(rows[1]!.occurredAt.toISOString()).toBe("2026-11-23T12:00:00.000Z");
  });

  it("refuses invalid batches with 400 and the reason, storing nothing", async () => {
    const before = await app.services.db.event.count({ where: { storeId } });
    const cases: [unknown, RegExp][] = [
      ["{oops", /not valid JSON/],
      [{ events: [] }, /events: /],
      [{ events: [event({ name: "cart_abandoned" })] }, /events\.0\.name/],
      [{ events: [event(), event({ occurredAt: "yesterday" })] }, /events\.1\.occurredAt/],
      [{ events: [event({ customer: { email: "not-an-email" } })] }, /events\.0\.customer\.email/],
      [{ events: [event({ extra: 1 })] }, /events\.0/],
    ];
    for (const [body, reason] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(reason);
    }
    expect((await post({ events: [event({ url: "x".repeat(70_000) })] })).status).toBe(413);
    expect((await post({ events: [event()] }, "not-a-real-store-key")).status).toBe(401);
    expect(await app.services.db.event.count({ where: { storeId } })).toBe(before);
  });

  it("rate-limits one client flooding one store", async () => {
    // At once, so the bucket (burst 120, 10 a second) cannot refill meanwhile on a slow machine.
    const statuses = await Promise.all(Array.from({ length: 250 }, async () => (await post({ events: [event()] })).status));
    const accepted = statuses.filter((s) => s === 202).length;
    expect(accepted).toBeGreaterThanOrEqual(100);
    expect(statuses.filter((s) => s === 429).length).toBe(250 - accepted);
    expect(accepted).toBeLessThan(200);
  });
});
