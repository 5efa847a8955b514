// The GraphQL (bulk) normaliser must produce what the webhook normaliser produces for the same
// Shopify object. The demo store renders every object both ways from one model, so each order
// webhook is compared with the GraphQL node of the same order at the same moment.
import { describe, expect, it } from "vitest";
import type { NormalizedCustomer, NormalizedOrder } from "../../app/core/types";
import { readBulkJsonl } from "../../adapters/shopify/bulk-operations.server";
import { normalizeShopifyWebhook } from "../../adapters/shopify/normalize";
import {
  SHAPE_DIFFERENCES,
  customerStatisticsOf,
  landingSitePath,
  normalizeBulkRecord,
  normalizeGraphqlCustomer,
  normalizeGraphqlOrder,
  normalizeGraphqlProduct,
  platformIdFromGid,
  restFulfillmentStatus,
} from "../../adapters/shopify/normalize-graphql";
import { createStoreSimulator } from "../../adapters/shopify/simulator";
import { createGraphqlStore } from "../../adapters/shopify/simulator/render-graphql";

const SHOP = "emporio-jabuticaba.myshopify.com";
const BRL = { shopCurrency: "BRL" };

function both(seed: number, customers: number, currency = "BRL") {
  const options = { seed, customers, shopDomain: SHOP, currency };
  return { simulator: createStoreSimulator(options), store: createGraphqlStore(options) };
}

/** The fields SHAPE_DIFFERENCES allows to differ, set aside for separate checks. */
function withoutPaidAt(order: NormalizedOrder): NormalizedOrder {
  return { ...order, payments: order.payments.map((payment) => ({ ...payment, paidAt: null })) };
}

describe("GraphQL normaliser = webhook normaliser for the same simulated object", () => {
  const { simulator, store } = both(11, 400);
  const deliveries = [...simulator.deliveries()];

  it("gives every order webhook's result for the order's GraphQL node at that moment", () => {
    let compared = 0;
    const methods = new Set<string>();
    const statuses = new Set<string>();
    for (const delivery of deliveries) {
      if (!delivery.topic.startsWith("orders/")) continue;
      const change = normalizeShopifyWebhook(delivery.topic, delivery.body, BRL);
      if (change.kind !== "order.upsert") throw new Error(`unexpected ${change.kind}`);
      const fromWebhook = change.order;
      const order = store.orderById(fromWebhook.platformId);
      expect(order, `order ${fromWebhook.platformId} is in the GraphQL store`).toBeDefined();
      const record = store.orderRecord(order!, new Date(delivery.triggeredAt));
      const fromGraphql = normalizeGraphqlOrder(record.node, record.children, BRL);

      expect(withoutPaidAt(fromGraphql)).toEqual(withoutPaidAt(fromWebhook));
      // paidAt: the webhook knows it only on some topics; when it does, both agree, and GraphQL
      // always dates a settled boleto/Pix by its transaction.
      fromGraphql.payments.forEach((payment, index) => {
        const webhookPaidAt = fromWebhook.payments[index]?.paidAt ?? null;
        if (webhookPaidAt) expect(payment.paidAt).toEqual(webhookPaidAt);
        if (payment.status === "paid" || payment.status === "refunded") expect(payment.paidAt).toEqual(order!.paidAt);
        else expect(payment.paidAt).toBeNull();
      });
      methods.add(fromGraphql.paymentMethod);
      statuses.add(fromGraphql.financialStatus);
      compared++;
    }
    expect(compared).toBeGreaterThan(500);
    // The sample covers what matters for Brazil: every method and the usual statuses.
    expect([...methods].sort()).toEqual(["boleto", "card", "other", "pix"]);
    for (const status of ["paid", "pending", "voided", "refunded", "partially_refunded"]) expect(statuses).toContain(status);
  });

  it("gives every customer webhook's result, except the locale REST customer bodies lack", () => {
    let compared = 0;
    for (const delivery of deliveries) {
      if (!delivery.topic.startsWith("customers/")) continue;
      const change = normalizeShopifyWebhook(delivery.topic, delivery.body, BRL);
      if (change.kind !== "customer.upsert") throw new Error(`unexpected ${change.kind}`);
      const customer = store.customerById(change.customer.platformId)!;
      const record = store.customerRecord(customer, new Date(delivery.triggeredAt));
      const fromGraphql = normalizeGraphqlCustomer(record.node, record.children, BRL);
      expect(change.customer.locale).toBeNull();
      expect(fromGraphql.locale).toBe("pt-BR");
      const sameLocale: NormalizedCustomer = { ...fromGraphql, locale: null };
      expect(sameLocale).toEqual(change.customer);
      compared++;
    }
    expect(compared).toBeGreaterThan(400);
    expect(Object.keys(SHAPE_DIFFERENCES)).toContain("customer.locale");
  });

  it("gives every product webhook's result", () => {
    let compared = 0;
    for (const delivery of deliveries) {
      if (delivery.topic !== "products/create") continue;
      const change = normalizeShopifyWebhook(delivery.topic, delivery.body, BRL);
      if (change.kind !== "product.upsert") throw new Error(`unexpected ${change.kind}`);
      const record = store.productRecord(store.productById(change.product.platformId)!);
      expect(normalizeGraphqlProduct(record.node, record.children, BRL)).toEqual(change.product);
      compared++;
    }
    expect(compared).toBe(simulator.summary().products);
  });

  it("streams the bulk files into the final state every object's last webhook left", async () => {
    const lastOrder = new Map<string, NormalizedOrder>();
    for (const delivery of deliveries) {
      const change = normalizeShopifyWebhook(delivery.topic, delivery.body, BRL);
      if (change.kind === "order.upsert") lastOrder.set(change.order.platformId, change.order);
    }
    const jsonl = [...store.bulkLines("orders")].map((line) => JSON.stringify(line)).join("\n");
    let orders = 0;
    for await (const record of readBulkJsonl(new Blob([jsonl]).stream())) {
      const change = normalizeBulkRecord(record, BRL);
      if (change.kind !== "order.upsert") throw new Error(`unexpected ${change.kind}`);
      expect(withoutPaidAt(change.order)).toEqual(withoutPaidAt(lastOrder.get(change.order.platformId)!));
      orders++;
    }
    expect(orders).toBe(simulator.summary().orders);
  });
});

describe("GraphQL normaliser: other currencies", () => {
  it("reads GraphQL decimals (\"10.0\", \"1500.0\") with the currency's own precision", () => {
    for (const currency of ["JPY", "KWD"]) {
      const { simulator, store } = both(5, 40, currency);
      for (const delivery of simulator.deliveries()) {
        if (delivery.topic !== "orders/create") continue;
        const change = normalizeShopifyWebhook(delivery.topic, delivery.body, { shopCurrency: currency });
        if (change.kind !== "order.upsert") continue;
        const record = store.orderRecord(store.orderById(change.order.platformId)!, new Date(delivery.triggeredAt));
        expect(withoutPaidAt(normalizeGraphqlOrder(record.node, record.children, { shopCurrency: currency }))).toEqual(withoutPaidAt(change.order));
      }
    }
  });
});

describe("GraphQL normaliser: ordinary query results and helpers", () => {
  const order = {
    id: "gid://shopify/Order/5930000000001",
    name: "#1001",
    email: "Ana@Example.com",
    createdAt: "2026-03-10T17:22:31Z",
    processedAt: "2026-03-10T17:22:31Z",
    updatedAt: "2026-03-11T09:00:00Z",
    currencyCode: "BRL",
    displayFinancialStatus: "PAID",
    displayFulfillmentStatus: "PARTIALLY_FULFILLED",
    sourceName: "web",
    paymentGatewayNames: ["Mercado Pago"],
    customAttributes: [{ key: "pix_code", value: "00020126..." }],
    customerJourneySummary: { firstVisit: null, lastVisit: { landingPage: "https://loja.example.com/p/x?utm_source=instagram&utm_medium=social", referrerUrl: "https://l.instagram.com/" } },
    totalPriceSet: { shopMoney: { amount: "109.8", currencyCode: "BRL" } },
    totalDiscountsSet: { shopMoney: { amount: "0.0", currencyCode: "BRL" } },
    totalShippingPriceSet: { shopMoney: { amount: "19.9", currencyCode: "BRL" } },
    totalTaxSet: { shopMoney: { amount: "0.0", currencyCode: "BRL" } },
    customer: null,
    transactions: [
      { id: "gid://shopify/OrderTransaction/1", kind: "SALE", status: "SUCCESS", gateway: "Mercado Pago", processedAt: "2026-03-10T17:30:00Z", amountSet: { shopMoney: { amount: "109.8", currencyCode: "BRL" } } },
    ],
    refunds: [],
    lineItems: {
      edges: [
        { node: { id: "gid://shopify/LineItem/1", title: "Café", quantity: 2, sku: "CAF-1", variant: { id: "gid://shopify/ProductVariant/2" }, product: { id: "gid://shopify/Product/3" }, originalUnitPriceSet: { shopMoney: { amount: "44.95", currencyCode: "BRL" } }, discountAllocations: [] } },
      ],
    },
  };

  it("reads inline edges, maps statuses and dates a Pix payment by its transaction", () => {
    const normalized = normalizeGraphqlOrder(order, [], BRL);
    expect(normalized.platformId).toBe("5930000000001");
    expect(normalized.subtotalMinor).toBe(8990n);
    expect(normalized.totalMinor).toBe(10980n);
    expect(normalized.shippingMinor).toBe(1990n);
    expect(normalized.lines).toEqual([
      { platformId: "1", productId: "3", variantId: "2", sku: "CAF-1", title: "Café", category: null, quantity: 2, unitPriceMinor: 4495n, discountMinor: 0n, totalMinor: 8990n },
    ]);
    expect(normalized.fulfillmentStatus).toBe("partial");
    expect(normalized.paymentMethod).toBe("pix");
    expect(normalized.landingSite).toBe("/p/x?utm_source=instagram&utm_medium=social");
    expect(normalized.utmSource).toBe("instagram");
    expect(normalized.email).toBe("ana@example.com");
    expect(normalized.payments[0]).toMatchObject({ method: "pix", status: "paid", paidAt: new Date("2026-03-10T17:30:00Z") });
  });

  it("accepts `nodes` connections too, and refunds without transactions", () => {
    const { lineItems, transactions: _t, ...rest } = order;
    const normalized = normalizeGraphqlOrder(
      {
        ...rest,
        displayFinancialStatus: "PARTIALLY_REFUNDED",
        lineItems: { nodes: lineItems.edges.map((edge) => edge.node) },
        refunds: [{ id: "gid://shopify/Refund/9", totalRefundedSet: { shopMoney: { amount: "44.95", currencyCode: "BRL" } } }],
      },
      [],
      BRL,
    );
    expect(normalized.lines).toHaveLength(1);
    expect(normalized.refundedMinor).toBe(4495n);
    expect(normalized.financialStatus).toBe("partially_refunded");
  });

  it("labels malformed nodes as GraphQL errors with the node's gid", () => {
    expect(() => normalizeGraphqlOrder({ ...order, totalPriceSet: null }, [], BRL)).toThrow(
      /graphql payload: gid:\/\/shopify\/Order\/5930000000001: order 5930000000001 has no total_price/,
    );
    expect(() => normalizeGraphqlOrder({ ...order, id: "5930000000001x" }, [], BRL)).toThrow(/not a Shopify GID/);
  });

  it("reads gids, landing pages, fulfillment statuses and Shopify's own RFM group", () => {
    expect(platformIdFromGid("gid://shopify/Order/123")).toBe("123");
    expect(platformIdFromGid("gid://shopify/MailingAddress/9?model_name=CustomerAddress")).toBe("9");
    expect(() => platformIdFromGid("gid://shopify/Order/0")).toThrow();
    expect(() => platformIdFromGid("gid://shopify/Order/000")).toThrow();
    expect(platformIdFromGid("gid://shopify/Order/0070")).toBe("0070");
    expect(platformIdFromGid(" 4501 ")).toBe("4501");
    expect(() => platformIdFromGid("000")).toThrow();
    expect(() => platformIdFromGid("gid://shopify/Order/-5")).toThrow();
    expect(landingSitePath("https://shop.example/a/b?utm_source=x")).toBe("/a/b?utm_source=x");
    expect(landingSitePath("/a?b=c")).toBe("/a?b=c");
    expect(landingSitePath("")).toBeNull();
    expect(restFulfillmentStatus("FULFILLED")).toBe("fulfilled");
    expect(restFulfillmentStatus("UNFULFILLED")).toBeNull();
    expect(customerStatisticsOf({ statistics: { rfmGroup: "CHAMPIONS", predictedSpendTier: "HIGH" } })).toEqual({ rfmGroup: "CHAMPIONS", predictedSpendTier: "HIGH" });
    expect(customerStatisticsOf({})).toBeNull();
  });

  it("reads a gid by scan exactly as the regex reads it, odd ones included", () => {
    // The previous implementation, kept here as the reference.
    const byRegex = (gid: string): string | null => {
      const match = /^gid:\/\/shopify\/[A-Za-z0-9]+\/(\d+)(?:\?.*)?$/.exec(gid.trim());
      if (match?.[1] && /[1-9]/.test(match[1])) return match[1];
      if (/^\d+$/.test(gid.trim()) && /[1-9]/.test(gid)) return gid.trim();
      return null;
    };
    const read = (gid: string): string | null => {
      try {
        return platformIdFromGid(gid);
      } catch {
        return null;
      }
    };
    const cases = [
      "gid://shopify/Order/5930000000001",
      "gid://shopify/LineItem/1?",
      "gid://shopify/MailingAddress/9?model_name=CustomerAddress&x=/y/7",
      "gid://shopify/Order/12 ",
      "gid://shopify/Order/12\n",
      "gid://shopify/Order/12?a\nb",
      "gid://shopify/Order/12?a\u2028",
      "gid://shopify/Order/12 ?a",
      "gid://shopify/Order/",
      "gid://shopify//12",
      "gid://shopify/Ord-er/12",
      "gid://shopify/A/B/12",
      "gid://shopify/Order/12/",
      "gid://shopify/Order/1a2",
      "gid://shopify/Order/00",
      "gid://shopify/Order/007?x",
      "gid://shopify/Order/?x",
      "gid://shopify/Ordér/12",
      "gid://shopify/Order/١٢",
      "gid://shopify/12",
      "gid://shopify/",
      " gid://shopify/Order/12",
      "GID://shopify/Order/12",
    ];
    for (const gid of cases) expect([gid, read(gid)]).toEqual([gid, byRegex(gid)]);
  });

  it("remembers landing pages without changing what they read as", () => {
    const urls = ["https://shop.example/p/1?utm_source=ig#top", "https://shop.example/a/../b/./c?q=a b", "http://[bad", " /x?y=1 ", "HTTPS://Shop.Example"];
    const first = urls.map((url) => landingSitePath(url));
    expect(first).toEqual(["/p/1?utm_source=ig#top", "/b/c?q=a%20b", "http://[bad", "/x?y=1", "/"]);
    expect(urls.map((url) => landingSitePath(url))).toEqual(first);
  });
});
