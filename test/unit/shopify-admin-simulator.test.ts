// The Admin GraphQL client against the in-process Admin API simulator, over real HTTP:
// throttling, injected failures, the bulk backfill from start to streamed JSONL, tags.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejection } from "../support/rejection.ts";
import { type AdminGraphqlClient, createAdminGraphql } from "../../adapters/shopify/admin-graphql.server";
import {
  BULK_QUERIES,
  BulkJsonlError,
  type BulkKind,
  type BulkQueryName,
  downloadBulkResult,
  fetchCustomerNodes,
  NODES_PER_CALL,
  readBulkJsonl,
  startBulkQuery,
  waitForBulkOperation,
} from "../../adapters/shopify/bulk-operations.server";
import { normalizeBulkRecord, normalizeGraphqlCustomer } from "../../adapters/shopify/normalize-graphql";
import { type AdminSimulator, startAdminSimulator } from "../support/shopify-admin-simulator";

const SHOP = "emporio-jabuticaba.myshopify.com";
const TOKEN = "shpat_simulated_0123456789";
const SHOP_QUERY = "query shopBasics { shop { name currencyCode ianaTimezone billingAddress { countryCodeV2 } } }";
const TAGS_ADD = "mutation caderninhoTagsAdd($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }";
const TAGS_REMOVE = "mutation caderninhoTagsRemove($id: ID!, $tags: [String!]!) { tagsRemove(id: $id, tags: $tags) { node { id } userErrors { field message } } }";

function connect(simulator: AdminSimulator, overrides: Partial<Parameters<typeof createAdminGraphql>[0]> = {}): AdminGraphqlClient {
  return createAdminGraphql({
    shop: SHOP,
    accessToken: TOKEN,
    apiVersion: "2026-10",
    endpoint: simulator.endpoint,
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
    timeoutMs: 5_000,
    ...overrides,
  });
}


describe("Admin API simulator: throttling and failures", () => {
  let simulator: AdminSimulator;
  beforeAll(async () => {
    simulator = await startAdminSimulator({
      store: { seed: 3, customers: 60, shopDomain: SHOP },
      accessToken: TOKEN,
      // A small, fast bucket: 100 points, 500 restored per second; a shop query costs 20.
      bucket: { maximumAvailable: 100, restoreRate: 500 },
      costs: { shop: 20 },
    });
  });
  afterAll(() => simulator.close());

  it("throttles an aggressive client that ignores the bucket", async () => {
    // A slow refill for this burst, so how fast the requests arrive does not matter.
    simulator.setBucket({ currentlyAvailable: 100, restoreRate: 1 });
    try {
      await burst();
    } finally {
      simulator.setBucket({ restoreRate: 500 });
    }
  });

  async function burst() {
    const before = simulator.stats().throttled;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(simulator.endpoint, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN },
          body: JSON.stringify({ query: SHOP_QUERY }),
        }).then(async (response) => ({ status: response.status, body: (await response.json()) as { errors?: { extensions: { code: string } }[]; extensions?: { cost: unknown } } })),
      ),
    );
    const throttled = answers.filter((answer) => answer.body.errors?.[0]?.extensions.code === "THROTTLED");
    expect(throttled.length).toBeGreaterThanOrEqual(10);
    expect(throttled.every((answer) => answer.status === 200)).toBe(true);
    expect(throttled[0]?.body.extensions?.cost).toMatchObject({ requestedQueryCost: 20, actualQueryCost: null, throttleStatus: { maximumAvailable: 100, restoreRate: 1 } });
    expect(simulator.stats().throttled - before).toBe(throttled.length);
  }

  it("lets the client pace 60 concurrent queries through the bucket without an error surfacing", async () => {
    simulator.setBucket({ currentlyAvailable: 100 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const client = connect(simulator);
    const before = simulator.stats();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 60 }, () => client.request<{ shop: { name: string; currencyCode: string } }>(SHOP_QUERY)));
    const elapsed = Date.now() - started;
    expect(results.every((result) => result.data.shop.currencyCode === "BRL")).toBe(true);
    const after = simulator.stats();
    expect(after.ok - before.ok).toBe(60);
    // 60 × 20 points from a bucket of 100 restoring 500/s cannot take less than 2.2 s.
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    // The client waited for the bucket instead of being refused (the one probe aside).
    expect(after.throttled - before.throttled).toBeLessThanOrEqual(1);
  }, 20_000);

  it("retries injected 503s, a 429 with Retry-After and a dropped connection", async () => {
    simulator.setBucket({ currentlyAvailable: 100 });
    const client = connect(simulator);
    simulator.failNext(2, { status: 503 });
    simulator.failNext(1, { status: 429, retryAfterSeconds: 0.05 });
    simulator.failNext(1, { drop: true });
    const before = simulator.stats();
    const result = await client.request<{ shop: { name: string } }>(SHOP_QUERY);
    expect(result.data.shop.name).toBe("Empório Jabuticaba");
    const after = simulator.stats();
    expect(after["injected-5xx"] - before["injected-5xx"]).toBe(2);
    expect(after["injected-429"] - before["injected-429"]).toBe(1);
    expect(after["injected-drop"] - before["injected-drop"]).toBe(1);
  });

  it("gives up after the maximum attempts when the failures last", async () => {
    const client = connect(simulator, { retry: { maxAttempts: 3, baseDelayMs: 5 } });
    simulator.failNext(3, { status: 502 });
    const error = await rejection(client.request(SHOP_QUERY));
    expect(error).toMatchObject({ status: 502, code: "HTTP_5XX", retryable: true, attempts: 3 });
  });

  it("refuses a wrong token, an unknown field and a document it does not recognise", async () => {
    expect(await rejection(connect(simulator, { accessToken: "shpat_wrong" }).request(SHOP_QUERY))).toMatchObject({ status: 401, retryable: false });
    const client = connect(simulator);
    simulator.setBucket({ currentlyAvailable: 100 });
    const unknownField = await rejection(client.request("query { shop { name colour } }"));
    expect(unknownField).toMatchObject({ code: "undefinedField", retryable: false });
    expect(unknownField.message).toContain("Field 'colour' doesn't exist on type 'Shop'");
    const unknownDocument = await rejection(client.request("query { products(first: 5) { nodes { id } } }"));
    expect(unknownDocument).toMatchObject({ code: "SIMULATOR_UNRECOGNISED_DOCUMENT", retryable: false });
  });
});

describe("Admin API simulator: bulk backfill", () => {
  let simulator: AdminSimulator;
  let client: AdminGraphqlClient;
  beforeAll(async () => {
    simulator = await startAdminSimulator({
      store: { seed: 42, customers: 250, shopDomain: SHOP },
      accessToken: TOKEN,
      bulkPollsUntilComplete: 2,
    });
    client = connect(simulator);
  });
  afterAll(() => simulator.close());

  async function backfill(name: BulkQueryName) {
    const started = await startBulkQuery(client, BULK_QUERIES[name]);
    expect(started.status).toBe("CREATED");
    const progress: string[] = [];
    const state = await waitForBulkOperation(client, started.id, { intervalMs: 5, onProgress: (s) => progress.push(s.status) });
    expect(progress).toEqual(["RUNNING", "RUNNING", "COMPLETED"]);
    expect(state.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bulk-results\/\d+\.jsonl$/);
    const counts: Record<BulkKind, number> = { customer: 0, order: 0, product: 0 };
    let lines = 0;
    const records = [];
    for await (const record of readBulkJsonl(await downloadBulkResult(state.url!))) {
      counts[record.kind]++;
      lines += 1 + record.children.length;
      records.push(record);
    }
    expect(lines).toBe(state.objectCount);
    expect(counts.customer + counts.order + counts.product).toBe(state.rootObjectCount);
    return { counts, records };
  }

  it("starts, polls, downloads and streams every bulk query; counts match the simulator's summary", async () => {
    const summary = simulator.summary();
    const customers = await backfill("customers");
    const orders = await backfill("orders");
    const products = await backfill("products");
    expect(customers.counts).toEqual({ customer: summary.customers, order: 0, product: 0 });
    expect(orders.counts).toEqual({ customer: 0, order: summary.orders, product: 0 });
    expect(products.counts).toEqual({ customer: 0, order: 0, product: summary.products });

    // And the backfilled orders add up to what the webhook history adds up to.
    let revenue = 0n;
    let refunded = 0n;
    let guests = 0;
    const byMethod: Record<string, number> = {};
    for (const record of orders.records) {
      const change = normalizeBulkRecord(record, { shopCurrency: "BRL" });
      if (change.kind !== "order.upsert") throw new Error(change.kind);
      const order = change.order;
      if (!order.cancelledAt) revenue += order.totalMinor;
      refunded += order.refundedMinor;
      if (!order.customer && order.customerRef === undefined) guests++;
      byMethod[order.paymentMethod] = (byMethod[order.paymentMethod] ?? 0) + 1;
    }
    expect(revenue).toBe(summary.revenueMinor);
    expect(refunded).toBe(summary.refundedMinor);
    expect(guests).toBe(summary.guestOrders);
    expect(byMethod).toEqual(Object.fromEntries(Object.entries(summary.ordersByPaymentMethod).filter(([, count]) => count > 0)));
    const subscribers = customers.records.filter(
      (record) => normalizeBulkRecord(record, { shopCurrency: "BRL" }).kind === "customer.upsert" && (record.node.defaultEmailAddress as { marketingState: string }).marketingState === "SUBSCRIBED",
    ).length;
    expect(subscribers).toBe(summary.emailSubscribers);
  }, 30_000);

  it("answers customers by id (nodes(ids:)): the customers file's customers, in pages of at most NODES_PER_CALL, null for unknown ids", async () => {
    const { records } = await backfill("customers");
    const wanted = records.slice(0, NODES_PER_CALL * 2 + 7);
    const ids = [...wanted.map((record) => String(record.node.id).split("/").pop()!), "1", "2"];
    const before = simulator.requests.filter((r) => r.operation === "customerNodes").length;
    const nodes = await fetchCustomerNodes(client, ids);
    const calls = simulator.requests.filter((r) => r.operation === "customerNodes").length - before;
    expect(calls).toBe(Math.ceil(ids.length / NODES_PER_CALL));
    expect(nodes.map((node) => node.id)).toEqual(wanted.map((record) => record.node.id));
    // The address list inline (an ordinary query's connection), not as bulk children.
    expect(nodes.some((node) => (node.addressesV2 as { edges: unknown[] }).edges.length > 0)).toBe(true);
    for (const [i, node] of nodes.entries()) {
      expect(normalizeGraphqlCustomer(node, [], { shopCurrency: "BRL" })).toEqual(normalizeGraphqlCustomer(wanted[i]!.node, wanted[i]!.children, { shopCurrency: "BRL" }));
    }
    // Shopify's limit of 250 ids per call is enforced.
    await expect(client.request("query caderninhoCustomerNodes($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer { id } } }", { ids: Array.from({ length: 251 }, (_, i) => `gid://shopify/Customer/${i}`) })).rejects.toThrow(/exceeds the maximum of 250/);
  });

  it("surfaces the userErrors of an invalid bulk query", async () => {
    const error = await rejection(startBulkQuery(client, "{ collections { edges { node { id } } } }"));
    expect(error).toMatchObject({ code: "USER_ERRORS", retryable: false });
    expect(error.userErrors[0]).toMatchObject({ field: ["query"], code: "INVALID" });
  });

  it("shows why grouped output is requested: ungrouped files cannot be streamed parent by parent", async () => {
    const started = await startBulkQuery(client, BULK_QUERIES.products, { groupObjects: false });
    const state = await waitForBulkOperation(client, started.id, { intervalMs: 5 });
    await expect(async () => {
      for await (const _record of readBulkJsonl(await downloadBulkResult(state.url!))) {
        // consume
      }
    }).rejects.toThrow(BulkJsonlError);
  });

  it("records tagsAdd / tagsRemove and answers userErrors for unknown ids", async () => {
    const customer = simulator.store.plan.customers[0]!;
    const id = `gid://shopify/Customer/${customer.id}`;
    await client.request(TAGS_ADD, { id, tags: ["rfm:champions", "caderninho"] });
    await client.request(TAGS_REMOVE, { id, tags: ["caderninho"] });
    expect(simulator.tagsOf(id)).toEqual(["rfm:champions"]);
    const error = await rejection(client.request(TAGS_ADD, { id: "gid://shopify/Customer/1", tags: ["x"] }));
    expect(error).toMatchObject({ code: "USER_ERRORS", retryable: false });
    expect(error.message).toContain("id: Resource does not exist");
    expect(simulator.tagCalls.map((call) => [call.mutation, call.ok])).toEqual([
      ["tagsAdd", true],
      ["tagsRemove", true],
      ["tagsAdd", false],
    ]);
  });
});
