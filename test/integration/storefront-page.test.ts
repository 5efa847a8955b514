// The storefront page's numbers, through the real app: block clicks/add-to-carts, influenced
// revenue (only lines the same customer added from the block in the 7 days before a counted
// order), the pixel funnel by distinct shopper, and nothing from another store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.ts";

let app: TestApp;
let cookie: string;
let storeId: number;
let otherId: number;

const HOUR = 3600 * 1000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR);

beforeAll(async () => {
  app = await startTestApp();
  const { db } = app.services;
  const store = await db.store.create({ data: { platform: "woocommerce", domain: "vitrine.example", name: "Vitrine", currency: "BRL" } });
  storeId = store.id;
  otherId = (await db.store.create({ data: { platform: "woocommerce", domain: "outra.example", name: "Outra", currency: "BRL" } })).id;
  const login = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = login.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(async () => {
  await app?.close();
});

async function seed(sid: number) {
  const { db } = app.services;
  const ana = await db.customer.create({ data: { storeId: sid, platformId: "c1", firstName: "Ana" } });
  const bia = await db.customer.create({ data: { storeId: sid, platformId: "c2", firstName: "Bia" } });
  await db.product.createMany({ data: [{ storeId: sid, platformId: "p1", title: "Caneca" }, { storeId: sid, platformId: "p2", title: "Café 500 g" }] });
  const block = (customerId: number | null, type: string, productIds: string[], at: Date) =>
    ({ storeId: sid, customerId, type, occurredAt: at, data: { sourceProductIds: ["p9"], productIds } });
  await db.event.createMany({
    data: [
      block(ana.id, "crosssell.click", ["p1"], ago(50)),
      block(ana.id, "crosssell.add_to_cart", ["p1", "p2"], ago(48)),
      block(bia.id, "crosssell.add_to_cart", ["p2"], ago(24 * 20)), // too long before her order
      block(null, "crosssell.add_to_cart", ["p2"], ago(5)),
    ],
  });
  const order = async (customerId: number, at: Date, lines: [string, number][], financialStatus: "paid" | "voided" = "paid") => {
    const o = await db.order.create({
      data: { storeId: sid, platformId: `o${customerId}-${at.getTime()}`, customerId, currency: "BRL", totalMinor: 0n, placedAt: at, financialStatus },
    });
    await db.orderLine.createMany({
      data: lines.map(([productId, total]) => ({ storeId: sid, orderId: o.id, productId, title: productId, quantity: 1, unitPriceMinor: BigInt(total), totalMinor: BigInt(total) })),
    });
  };
  await order(ana.id, ago(24), [["p1", 3_990], ["p2", 2_500], ["p3", 10_000]]); // p1 + p2 influenced: 64,90
  await order(ana.id, ago(12), [["p1", 3_990]], "voided"); // not a counted order
  await order(bia.id, ago(2), [["p2", 2_500]]); // her add-to-cart was 20 days ago
  const pixel = (name: string, clientId: string, at: Date) => ({ storeId: sid, type: `storefront.${name}`, occurredAt: at, data: { id: `${name}-${clientId}-${at.getTime()}`, clientId } });
  await db.event.createMany({
    data: [
      ...["a", "b", "c", "d"].map((c) => pixel("page_viewed", c, ago(10))),
      pixel("page_viewed", "a", ago(9)),
      ...["a", "b", "c"].map((c) => pixel("product_viewed", c, ago(9))),
      ...["a", "b"].map((c) => pixel("product_added_to_cart", c, ago(8))),
      pixel("checkout_started", "a", ago(7)),
      pixel("checkout_completed", "a", ago(6)),
      pixel("page_viewed", "old", ago(24 * 40)), // outside the 30 days
    ],
  });
}

describe("storefront page", () => {
  it("shows the block's results and the pixel funnel of this store only", async () => {
    await seed(storeId);
    await seed(otherId);
    const res = await fetch(`${app.url}/app/storefront?_data=routes%2Fapp.storefront`, { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    const data = (await res.json()) as {
      block: { clicks: number; addToCarts: number; influencedMinor: string; influencedOrders: number; topAdded: { productId: string; title: string; times: number }[] };
      funnel: { sessions: number; productViews: number; addToCarts: number; checkoutsStarted: number; checkoutsCompleted: number; conversionRate: number };
      setup: { wooSnippet: string; pixelActive: boolean };
    };
    expect(data.block).toEqual({
      clicks: 1,
      addToCarts: 3,
      influencedMinor: "6490",
      influencedOrders: 1,
      topAdded: [
        { productId: "p2", title: "Café 500 g", times: 3 },
        { productId: "p1", title: "Caneca", times: 1 },
      ],
    });
    expect(data.funnel).toEqual({ sessions: 4, productViews: 3, addToCarts: 2, checkoutsStarted: 1, checkoutsCompleted: 1, conversionRate: 0.25 });
    const store = await app.services.db.store.findUniqueOrThrow({ where: { id: storeId } });
    expect(data.setup.wooSnippet).toContain(`token=${store.publicToken}`);
    expect(data.setup.pixelActive).toBe(false);
  });
});
