import { describe, expect, it } from "vitest";
import type { NormalizedOrder, PaymentMethod, SalesChannel } from "../../app/core/types";
import { normalizeShopifyWebhook } from "../../adapters/shopify/normalize";
import type { ShopifyCustomerPayload, ShopifyOrderPayload } from "../../adapters/shopify/payloads";
import { type SimulatedDelivery, createStoreSimulator } from "../../adapters/shopify/simulator";

const SHOP = "emporio-jabuticaba.myshopify.com";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UF = new Set("AC AL AM AP BA CE DF ES GO MA MG MS MT PA PB PE PI PR RJ RN RO RR RS SC SE SP TO".split(" "));

function simulate(seed: number, customers: number, currency = "BRL") {
  const simulator = createStoreSimulator({ seed, customers, shopDomain: SHOP, currency });
  return { simulator, deliveries: [...simulator.deliveries()] };
}

/** Replays every delivery through the normaliser, keeping the latest state of each order. */
function ingest(deliveries: SimulatedDelivery[], shopCurrency = "BRL") {
  const orders = new Map<string, NormalizedOrder>();
  const customers = new Set<string>();
  const ordersByCustomer = new Map<string, number>();
  for (const delivery of deliveries) {
    const change = normalizeShopifyWebhook(delivery.topic, delivery.body, { shopCurrency });
    if (change.kind === "customer.upsert" && delivery.topic === "customers/create") customers.add(change.customer.platformId);
    if (change.kind === "order.upsert") {
      const isNew = !orders.has(change.order.platformId);
      orders.set(change.order.platformId, change.order);
      const customerId = change.order.customer?.platformId;
      if (isNew && customerId) ordersByCustomer.set(customerId, (ordersByCustomer.get(customerId) ?? 0) + 1);
    }
  }
  return { orders: [...orders.values()], customers, ordersByCustomer };
}

/** CRC-16/CCITT-FALSE, written independently of the simulator's, to check Pix codes. */
function crc16(text: string): string {
  let crc = 0xffff;
  for (const char of text) {
    crc ^= char.charCodeAt(0) << 8;
    for (let i = 0; i < 8; i++) crc = (crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, "0");
}

describe("store simulator: determinism", () => {
  it("produces identical deliveries and products for the same seed", () => {
    const a = simulate(7, 300);
    const b = simulate(7, 300);
    expect(a.deliveries.length).toBeGreaterThan(1000);
    expect(JSON.stringify(b.deliveries)).toBe(JSON.stringify(a.deliveries));
    expect(b.simulator.products()).toEqual(a.simulator.products());
    // Iterating twice gives the same sequence too.
    expect(JSON.stringify([...a.simulator.deliveries()])).toBe(JSON.stringify(a.deliveries));
  });

  it("produces a different shop for a different seed", () => {
    const a = simulate(7, 300);
    const b = simulate(8, 300);
    expect(b.deliveries[0]?.webhookId).not.toBe(a.deliveries[0]?.webhookId);
    const emails = (deliveries: SimulatedDelivery[]) =>
      deliveries.filter((d) => d.topic === "customers/create").map((d) => (d.body as ShopifyCustomerPayload).email);
    expect(emails(b.deliveries)).not.toEqual(emails(a.deliveries));
  });

  it("does not share random state between simulators", () => {
    const alone = simulate(11, 100).deliveries;
    createStoreSimulator({ seed: 99, customers: 50, shopDomain: SHOP });
    const interleaved = simulate(11, 100).deliveries;
    expect(JSON.stringify(interleaved)).toBe(JSON.stringify(alone));
  });
});

describe("store simulator: deliveries", () => {
  const { simulator, deliveries } = simulate(42, 600);

  it("gives every delivery a unique UUID-shaped webhook id", () => {
    const ids = deliveries.map((delivery) => delivery.webhookId);
    expect(ids.every((id) => UUID.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("yields products first, then two years of history in chronological order", () => {
    const productCount = simulator.products().length;
    expect(productCount).toBeGreaterThanOrEqual(30);
    expect(deliveries.slice(0, productCount).every((d) => d.topic === "products/create")).toBe(true);
    expect(deliveries.slice(productCount).some((d) => d.topic === "products/create")).toBe(false);
    const times = deliveries.map((d) => Date.parse(d.triggeredAt));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] as number);
    const now = simulator.options.now.getTime();
    const history = times.slice(productCount);
    expect(Math.max(...history)).toBeLessThanOrEqual(now);
    expect(Math.min(...history)).toBeGreaterThanOrEqual(now - 731 * 86_400_000);
    expect(new Set(deliveries.map((d) => d.topic))).toEqual(
      new Set([
        "products/create",
        "customers/create",
        "customers/update",
        "orders/create",
        "orders/paid",
        "orders/updated",
        "orders/cancelled",
        "checkouts/create",
        "checkouts/update",
      ]),
    );
  });

  it("normalizes every delivery, with consistent order money", () => {
    for (const delivery of deliveries) {
      const change = normalizeShopifyWebhook(delivery.topic, delivery.body, { shopCurrency: "BRL" });
      expect(change.kind).not.toBe("ignored");
      if (change.kind !== "order.upsert") continue;
      const order = change.order;
      expect(order.totalMinor).toBe(order.subtotalMinor - order.discountMinor + order.shippingMinor + order.taxMinor);
      expect(order.lines.reduce((sum, line) => sum + line.totalMinor, 0n)).toBe(order.subtotalMinor - order.discountMinor);
      expect(order.refundedMinor).toBeLessThanOrEqual(order.totalMinor);
      expect(order.lines.every((line) => line.productId !== null && line.quantity > 0)).toBe(true);
    }
  });

  it("writes money as decimal strings with two decimals", () => {
    const order = deliveries.find((d) => d.topic === "orders/create")?.body as ShopifyOrderPayload;
    for (const amount of [order.total_price, order.subtotal_price, order.total_discounts, order.line_items?.[0]?.price]) {
      expect(amount).toMatch(/^\d+\.\d{2}$/);
    }
  });

  it("creates plausible Brazilian customers", () => {
    const customers = deliveries.filter((d) => d.topic === "customers/create").map((d) => d.body as ShopifyCustomerPayload);
    expect(customers).toHaveLength(600);
    const cities = new Map<string, number>();
    let subscribed = 0;
    for (const customer of customers) {
      expect(customer.email).toMatch(/^[a-z0-9._]+@(gmail\.com|hotmail\.com|outlook\.com|uol\.com\.br|bol\.com\.br|yahoo\.com\.br)$/);
      if (customer.phone) expect(customer.phone).toMatch(/^\+55\d{2}9\d{8}$/);
      const address = customer.default_address;
      expect(address?.country_code).toBe("BR");
      expect(address?.zip).toMatch(/^\d{5}-\d{3}$/);
      expect(UF.has(address?.province_code ?? "")).toBe(true);
      cities.set(address?.city ?? "", (cities.get(address?.city ?? "") ?? 0) + 1);
      if (customer.email_marketing_consent?.state === "subscribed") subscribed++;
    }
    const [topCity] = [...cities.entries()].sort((a, b) => b[1] - a[1]);
    expect(topCity?.[0]).toBe("São Paulo");
    expect(subscribed / customers.length).toBeGreaterThan(0.6);
    expect(subscribed / customers.length).toBeLessThan(0.8);
  });

  it("carries valid boleto lines and Pix codes in note attributes", () => {
    const created = deliveries.filter((d) => d.topic === "orders/create").map((d) => d.body as ShopifyOrderPayload);
    const note = (order: ShopifyOrderPayload, pattern: RegExp) => order.note_attributes?.find((a) => pattern.test(a.name))?.value ?? null;
    let boletos = 0;
    let pix = 0;
    for (const order of created) {
      const line = note(order, /boleto_barcode|linha_digitavel/);
      if (line) {
        boletos++;
        const digits = line.replace(/\D/g, "");
        expect(digits).toHaveLength(47);
        // The last 10 digits are the amount in centavos.
        expect(BigInt(digits.slice(-10))).toBe(BigInt(order.total_price?.replace(".", "") ?? "0"));
        const due = note(order, /due_date|vencimento/) ?? "";
        const dueDay = due.includes("/") ? due.split("/").reverse().join("-") : due;
        const createdDay = order.created_at?.slice(0, 10) ?? "";
        expect((Date.parse(dueDay) - Date.parse(createdDay)) / 86_400_000).toBe(3);
      }
      const code = note(order, /^pix_(code|copia_e_cola|qr_code)$/);
      if (code) {
        pix++;
        expect(code.startsWith("000201")).toBe(true);
        expect(code.slice(-4)).toBe(crc16(code.slice(0, -4)));
        expect(code).toContain(`54${String(order.total_price?.length).padStart(2, "0")}${order.total_price}`);
      }
    }
    expect(boletos).toBeGreaterThan(20);
    expect(pix).toBeGreaterThan(50);
  });
});

describe("store simulator: behaviour and summary (seed 42, 3000 customers)", () => {
  const { simulator, deliveries } = simulate(42, 3000);
  const summary = simulator.summary();
  const { orders, customers, ordersByCustomer } = ingest(deliveries);

  it("matches what an ingester computes from the deliveries", () => {
    expect(summary.deliveries).toBe(deliveries.length);
    const byTopic: Record<string, number> = {};
    for (const delivery of deliveries) byTopic[delivery.topic] = (byTopic[delivery.topic] ?? 0) + 1;
    expect(summary.deliveriesByTopic).toEqual(byTopic);

    expect(summary.customers).toBe(3000);
    expect(customers.size).toBe(3000);
    expect(summary.products).toBe(simulator.products().length);
    expect(summary.orders).toBe(orders.length);
    expect(summary.guestOrders).toBe(orders.filter((order) => order.customer === null).length);
    expect(summary.cancelledOrders).toBe(orders.filter((order) => order.cancelledAt !== null).length);
    expect(summary.revenueMinor).toBe(orders.filter((order) => !order.cancelledAt).reduce((sum, order) => sum + order.totalMinor, 0n));
    expect(summary.refundedMinor).toBe(orders.reduce((sum, order) => sum + order.refundedMinor, 0n));
    expect(summary.refundedOrders).toBe(orders.filter((order) => order.refundedMinor > 0n).length);

    const methods: Record<PaymentMethod, number> = { card: 0, boleto: 0, pix: 0, other: 0 };
    const channels: Record<SalesChannel, number> = { web: 0, pos: 0, draft: 0, marketplace: 0, other: 0 };
    for (const order of orders) {
      methods[order.paymentMethod]++;
      channels[order.channel]++;
    }
    expect(summary.ordersByPaymentMethod).toEqual(methods);
    expect(summary.ordersByChannel).toEqual(channels);

    const boletos = orders.filter((order) => order.paymentMethod === "boleto");
    expect(summary.boletoOrders).toBe(boletos.length);
    expect(summary.boletosUnpaid).toBe(boletos.filter((order) => order.financialStatus === "pending").length);
    expect(summary.boletosPaid).toBe(boletos.filter((order) => order.financialStatus !== "pending").length);

    expect(summary.customersWithOrders).toBe(ordersByCustomer.size);
    expect(summary.oneTimeBuyers).toBe([...ordersByCustomer.values()].filter((count) => count === 1).length);
    expect(summary.customersWith5PlusOrders).toBe([...ordersByCustomer.values()].filter((count) => count >= 5).length);
  });

  it("has a plausible repeat-purchase distribution", () => {
    const counts = [...ordersByCustomer.values()];
    const buyers = counts.length;
    const oneTime = counts.filter((count) => count === 1).length;
    const mean = counts.reduce((sum, count) => sum + count, 0) / buyers;
    expect(oneTime / buyers).toBeGreaterThan(0.3);
    expect(oneTime / buyers).toBeLessThan(0.65);
    expect(counts.filter((count) => count >= 5).length / buyers).toBeGreaterThan(0.05);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(10);
    expect(mean).toBeGreaterThan(2);
    expect(mean).toBeLessThan(4);
    // Some customers signed up and never bought.
    expect(summary.customersByOrderCount[0]).toBeGreaterThan(0);
  });

  it("leaves some customers lapsed: their last order is over a year old despite earlier repeats", () => {
    const lastOrder = new Map<string, number>();
    for (const order of orders) {
      const id = order.customer?.platformId;
      if (id) lastOrder.set(id, Math.max(lastOrder.get(id) ?? 0, order.placedAt.getTime()));
    }
    const yearAgo = simulator.options.now.getTime() - 365 * 86_400_000;
    const lapsedRepeaters = [...lastOrder.entries()].filter(([id, last]) => last < yearAgo && (ordersByCustomer.get(id) ?? 0) >= 2);
    expect(lapsedRepeaters.length).toBeGreaterThan(30);
  });

  it("mixes payment methods and channels like a Brazilian shop", () => {
    const web = orders.filter((order) => order.channel === "web");
    const share = (method: PaymentMethod) => web.filter((order) => order.paymentMethod === method).length / web.length;
    expect(share("card")).toBeGreaterThan(0.5);
    expect(share("card")).toBeLessThan(0.7);
    expect(share("pix")).toBeGreaterThan(0.18);
    expect(share("pix")).toBeLessThan(0.32);
    expect(share("boleto")).toBeGreaterThan(0.1);
    expect(share("boleto")).toBeLessThan(0.2);
    expect(summary.ordersByChannel.pos).toBeGreaterThan(0);
    expect(summary.ordersByChannel.draft).toBeGreaterThan(0);
    expect(orders.some((order) => order.utmSource !== null)).toBe(true);
  });

  it("leaves about one boleto in five unpaid, and pays the rest one or two days later", () => {
    expect(summary.boletosUnpaid / summary.boletoOrders).toBeGreaterThan(0.12);
    expect(summary.boletosUnpaid / summary.boletoOrders).toBeLessThan(0.3);
    // Paid boletos may have been refunded since; their payment date comes from orders/paid.
    const paidBoletos = orders.filter((order) => order.paymentMethod === "boleto" && ["paid", "refunded"].includes(order.payments[0]?.status ?? ""));
    expect(paidBoletos.length).toBe(summary.boletosPaid);
    const paidDeliveries = deliveries
      .filter((d) => d.topic === "orders/paid")
      .map((d) => normalizeShopifyWebhook(d.topic, d.body, { shopCurrency: "BRL" }))
      .flatMap((change) => (change.kind === "order.upsert" && change.order.paymentMethod === "boleto" ? [change.order] : []));
    expect(paidDeliveries).toHaveLength(summary.boletosPaid);
    for (const order of paidDeliveries) {
      const [payment] = order.payments;
      expect(payment?.status).toBe("paid");
      const delayHours = ((payment?.paidAt?.getTime() ?? 0) - order.placedAt.getTime()) / 3_600_000;
      expect(delayHours).toBeGreaterThanOrEqual(20);
      expect(delayHours).toBeLessThanOrEqual(61);
    }
    const unpaid = orders.filter((order) => order.paymentMethod === "boleto" && order.financialStatus === "pending");
    expect(unpaid.length).toBeGreaterThan(0);
    expect(unpaid.every((order) => order.payments[0]?.status === "pending")).toBe(true);
  });

  it("has abandoned checkouts and some completed ones", () => {
    expect(summary.abandonedCheckouts).toBeGreaterThan(500);
    expect(summary.completedCheckouts).toBeGreaterThan(100);
    const completed = deliveries.filter((d) => d.topic === "checkouts/update" && (d.body as { completed_at?: string | null }).completed_at);
    expect(completed).toHaveLength(summary.completedCheckouts);
  });
});

describe("store simulator: other currencies", () => {
  it("writes amounts with the currency's own decimals and stays consistent", () => {
    const { simulator, deliveries } = simulate(5, 150, "JPY");
    const order = deliveries.find((d) => d.topic === "orders/create")?.body as ShopifyOrderPayload;
    expect(order.currency).toBe("JPY");
    expect(order.total_price).toMatch(/^\d+$/);
    const { orders } = ingest(deliveries, "JPY");
    expect(orders.every((o) => o.currency === "JPY")).toBe(true);
    expect(simulator.summary().revenueMinor).toBe(orders.filter((o) => !o.cancelledAt).reduce((sum, o) => sum + o.totalMinor, 0n));
  });
});
