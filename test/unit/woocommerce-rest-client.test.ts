// The REST client against the WooCommerce simulator over real HTTP: OAuth 1.0a signing accepted,
// pagination headers read, 429/5xx/dropped connections retried with backoff, and errors that say
// what went wrong (revoked keys, bad parameters) without retrying what cannot succeed.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWooClient, WooApiError, WooAuthError, type WooClient } from "../../adapters/woocommerce/rest-client.server.ts";
import { startWooSimulator, type WooSimulator } from "../support/woocommerce-simulator.ts";

let sim: WooSimulator;
let client: WooClient;
const retries: string[] = [];

beforeAll(async () => {
  sim = await startWooSimulator({ seed: 3, customers: 120 });
  client = createWooClient({ url: sim.url, consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret, baseDelayMs: 5, maxDelayMs: 20, onRetry: (r) => retries.push(r.reason) });
});
afterAll(async () => sim?.close());

describe("WooCommerce REST client", () => {
  it("signs requests (OAuth 1.0a over http) and reads X-WP-Total / X-WP-TotalPages", async () => {
    const expected = sim.expected();
    const first = await client.page<{ id: number }>("customers", { per_page: 20, page: 1, orderby: "id", order: "asc" });
    expect(first.total).toBe(expected.registeredCustomers);
    expect(first.totalPages).toBe(Math.ceil(expected.registeredCustomers / 20));
    expect(first.items).toHaveLength(Math.min(20, expected.registeredCustomers));
    const ids: number[] = [];
    for (let page = 1; page <= first.totalPages!; page++) ids.push(...(await client.page<{ id: number }>("customers", { per_page: 20, page, orderby: "id", order: "asc" })).items.map((c) => c.id));
    expect(new Set(ids).size).toBe(expected.registeredCustomers);
    const orders = await client.page("orders", { per_page: 100, page: 1, status: "any" });
    expect(orders.total).toBe(expected.orders);
  });

  it("retries 429 (honouring Retry-After), 5xx and dropped connections, then succeeds", async () => {
    retries.length = 0;
    sim.failNext(1, { status: 429, retryAfterSeconds: 0 }, /orders/);
    sim.failNext(1, { status: 503 }, /orders/);
    sim.failNext(1, { drop: true }, /orders/);
    const page = await client.page("orders", { per_page: 5, page: 1 });
    expect(page.items).toHaveLength(5);
    expect(retries).toHaveLength(3);
    expect(retries[0]).toMatch(/Too many requests/);
    expect(retries[1]).toMatch(/HTTP 503/);
  });

  it("gives up after the retry budget with the last error", async () => {
    const impatient = createWooClient({ url: sim.url, consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret, retries: 2, baseDelayMs: 1 });
    sim.failNext(3, { status: 500 }, /products/);
    const e = await impatient.page("products", { per_page: 5, page: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WooApiError);
    expect((e as WooApiError).status).toBe(500);
    expect((await impatient.page("products", { per_page: 5, page: 1 })).items).toHaveLength(5);
  });

  it("does not retry bad parameters and reports WordPress's error message", async () => {
    const before = client.stats.requests;
    const e = await client.page("orders", { per_page: 500, page: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WooApiError);
    expect((e as WooApiError).message).toMatch(/per_page must be between 1 \(inclusive\) and 100/);
    expect(client.stats.requests - before).toBe(1);
  });

  it("rejects wrong keys with WooAuthError, and revoked keys too", async () => {
    const wrong = createWooClient({ url: sim.url, consumerKey: sim.consumerKey, consumerSecret: "cs_wrong", retries: 3, baseDelayMs: 1 });
    const e = await wrong.get("webhooks").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WooAuthError);
    expect((e as Error).message).toMatch(/signature does not match/);
    const own = await startWooSimulator({ seed: 1, customers: 10 });
    try {
      const c = createWooClient({ url: own.url, consumerKey: own.consumerKey, consumerSecret: own.consumerSecret, baseDelayMs: 1 });
      await c.get("webhooks");
      own.revokeKeys();
      const revoked = await c.get("webhooks").catch((x: unknown) => x);
      expect(revoked).toBeInstanceOf(WooAuthError);
      expect((revoked as Error).message).toMatch(/Consumer key is invalid/);
    } finally {
      await own.close();
    }
  });

  it("says where a redirecting store wants to go instead of following it", async () => {
    const server = createServer((_req, res) => res.writeHead(301, { Location: "https://loja.example.com.br/wp-json/wc/v3/orders" }).end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const c = createWooClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, consumerKey: "ck_x", consumerSecret: "cs_y", baseDelayMs: 1 });
      const e = await c.page("orders", { per_page: 1, page: 1 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(WooApiError);
      expect((e as Error).message).toMatch(/redirects \(HTTP 301\) to https:\/\/loja\.example\.com\.br/);
      expect(c.stats.requests).toBe(1);
    } finally {
      server.close();
    }
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    const narrow = createWooClient({ url: sim.url, consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret, concurrency: 2 });
    sim.setLatency(30);
    sim.peakConcurrency(true);
    try {
      await Promise.all(Array.from({ length: 8 }, () => narrow.page("customers", { per_page: 1, page: 1 })));
      expect(sim.peakConcurrency()).toBe(2);
      sim.peakConcurrency(true);
      await Promise.all(Array.from({ length: 8 }, () => client.page("customers", { per_page: 1, page: 1 })));
      expect(sim.peakConcurrency()).toBe(4); // the default
    } finally {
      sim.setLatency(0);
    }
  });
});
