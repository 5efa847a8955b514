import { Writable } from "node:stream";
import { rejection } from "../support/rejection.ts";
import { describe, expect, it } from "vitest";
import {
  type AdminGraphqlOptions,
  CostBucket,
  backoffCeilingMs,
  backoffDelayMs,
  costWaitMs,
  createAdminGraphql,
  operationName,
  parseRetryAfterMs,
  restoredAvailable,
} from "../../adapters/shopify/admin-graphql.server";
import { createLogger } from "../../app/logger.server";

const SHOP = "emporio-jabuticaba.myshopify.com";
const SHOP_QUERY = "query shopBasics { shop { name currencyCode } }";

/** A clock that only moves when the client sleeps (or the test advances it). */
function fakeClock(start = 1_000_000) {
  let time = start;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
    advance: (ms: number) => {
      time += ms;
    },
    sleeps,
  };
}

type Reply = { status?: number; body?: unknown; headers?: Record<string, string> } | Error | (() => Promise<Response>);

/** fetch that answers from a script and records what it was sent. */
function scriptedFetch(replies: Reply[]) {
  const calls: { url: string; init: RequestInit; body: { query: string; variables?: Record<string, unknown> } }[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {}, body: JSON.parse(String(init?.body)) });
    const reply = replies.shift();
    if (reply === undefined) throw new Error("no scripted reply left");
    if (reply instanceof Error) throw reply;
    if (typeof reply === "function") return reply();
    const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? {});
    return new Response(text, { status: reply.status ?? 200, headers: { "Content-Type": "application/json", ...reply.headers } });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const ok = (data: unknown, cost?: { requested: number; available: number; max?: number; rate?: number }) => ({
  body: {
    data,
    ...(cost
      ? {
          extensions: {
            cost: {
              requestedQueryCost: cost.requested,
              actualQueryCost: cost.requested,
              throttleStatus: { maximumAvailable: cost.max ?? 1000, currentlyAvailable: cost.available, restoreRate: cost.rate ?? 50 },
            },
          },
        }
      : {}),
  },
});

const throttled = (requested: number, available: number, rate = 50, max = 1000) => ({
  body: {
    errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
    extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: { maximumAvailable: max, currentlyAvailable: available, restoreRate: rate } } },
  },
});

function client(replies: Reply[], overrides: Partial<AdminGraphqlOptions> = {}) {
  const clock = fakeClock();
  const { fetch, calls } = scriptedFetch(replies);
  const graphql = createAdminGraphql({
    shop: SHOP,
    accessToken: "shpat_test",
    apiVersion: "2026-10",
    fetch,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    ...overrides,
  });
  return { graphql, clock, calls };
}


describe("bucket math", () => {
  const status = { maximumAvailable: 1000, currentlyAvailable: 100, restoreRate: 50 };

  it("restores restoreRate points per second, up to the maximum", () => {
    expect(restoredAvailable(status, 0)).toBe(100);
    expect(restoredAvailable(status, 2_000)).toBe(200);
    expect(restoredAvailable(status, 500)).toBe(125);
    expect(restoredAvailable(status, 60_000)).toBe(1000);
    expect(restoredAvailable(status, -5_000)).toBe(100);
  });

  it("waits exactly until the cost is restored", () => {
    expect(costWaitMs(100, 100, 50)).toBe(0);
    expect(costWaitMs(100, 300, 50)).toBe(4_000);
    expect(costWaitMs(-50, 100, 50)).toBe(3_000); // reservations made it negative
    expect(costWaitMs(10, 10.5, 50)).toBe(10); // rounds up
    expect(costWaitMs(0, 5_000, 100, 1000)).toBe(10_000); // a cost above the maximum waits for a full bucket
    expect(costWaitMs(0, 10, 0)).toBe(Infinity);
  });

  it("tracks Shopify's reports, reservations and the injected clock", () => {
    const clock = fakeClock();
    const bucket = new CostBucket(clock.now);
    expect(bucket.known).toBe(false);
    expect(bucket.available()).toBeNull();
    expect(bucket.delayFor(500)).toBe(0); // unknown: nothing to wait for

    bucket.report({ maximumAvailable: 1000, currentlyAvailable: 100, restoreRate: 50 }, 1);
    expect(bucket.available()).toBe(100);
    const release = bucket.reserve(80);
    expect(bucket.available()).toBe(20);
    expect(bucket.delayFor(120)).toBe(2_000);
    clock.advance(1_000);
    expect(bucket.available()).toBe(70);
    release();
    release(); // idempotent
    expect(bucket.available()).toBe(150);

    // An answer to an older request does not overwrite a newer report.
    bucket.report({ maximumAvailable: 1000, currentlyAvailable: 900, restoreRate: 50 }, 0);
    expect(bucket.available()).toBe(150);
    bucket.report({ maximumAvailable: 1000, currentlyAvailable: 900, restoreRate: 50 }, 2);
    expect(bucket.available()).toBe(900);
  });
});

describe("backoff schedule", () => {
  const schedule = { baseDelayMs: 500, maxDelayMs: 30_000 };

  it("doubles the ceiling per retry, capped", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 60].map((retry) => backoffCeilingMs(retry, schedule))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it("draws the full-jitter delay uniformly in [0, ceiling)", () => {
    expect(backoffDelayMs(3, schedule, () => 0)).toBe(0);
    expect(backoffDelayMs(3, schedule, () => 0.5)).toBe(1_000);
    expect(backoffDelayMs(3, schedule, () => 0.999999)).toBe(1_999);
    expect(backoffDelayMs(3, schedule, () => 1)).toBeLessThan(2_000); // a random() of 1 is clamped
    let seed = 7;
    const lcg = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let retry = 1; retry <= 10; retry++) {
      const delays = Array.from({ length: 500 }, () => backoffDelayMs(retry, schedule, lcg));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...delays)).toBeLessThan(backoffCeilingMs(retry, schedule));
      // Spread over the whole range, not bunched at one end.
      expect(Math.max(...delays)).toBeGreaterThan(backoffCeilingMs(retry, schedule) * 0.8);
    }
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfterMs("2", 0)).toBe(2_000);
    expect(parseRetryAfterMs("1.5", 0)).toBe(1_500);
    expect(parseRetryAfterMs("Wed, 21 Oct 2026 07:28:03 GMT", Date.parse("Wed, 21 Oct 2026 07:28:00 GMT"))).toBe(3_000);
    expect(parseRetryAfterMs("soon", 0)).toBeNull();
    expect(parseRetryAfterMs(null, 0)).toBeNull();
  });

  it("names operations from the document", () => {
    expect(operationName(SHOP_QUERY)).toBe("shopBasics");
    expect(operationName("mutation caderninhoBulkRun($q: String!) { x }")).toBe("caderninhoBulkRun");
    expect(operationName("{ shop { name } }")).toBe("anonymous");
  });
});

describe("createAdminGraphql: requests", () => {
  it("POSTs the query and variables with the access token to the versioned endpoint", async () => {
    const { graphql, calls } = client([ok({ shop: { name: "Empório" } }, { requested: 1, available: 999 })]);
    const result = await graphql.request<{ shop: { name: string } }>(SHOP_QUERY, { a: 1 });
    expect(result.data.shop.name).toBe("Empório");
    expect(result.cost).toEqual({ requestedQueryCost: 1, actualQueryCost: 1, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 999, restoreRate: 50 } });
    expect(calls[0]?.url).toBe(`https://${SHOP}/admin/api/2026-10/graphql.json`);
    expect(calls[0]?.init.method).toBe("POST");
    expect((calls[0]?.init.headers as Record<string, string>)["X-Shopify-Access-Token"]).toBe("shpat_test");
    expect(calls[0]?.body).toEqual({ query: SHOP_QUERY, variables: { a: 1 } });
  });

  it("uses an endpoint override and refuses a shop that is not a myshopify domain", () => {
    expect(createAdminGraphql({ shop: "x", accessToken: "t", apiVersion: "2026-10", endpoint: "http://127.0.0.1:1/g" }).endpoint).toBe("http://127.0.0.1:1/g");
    expect(() => createAdminGraphql({ shop: "evil.example.com", accessToken: "t", apiVersion: "2026-10" })).toThrow(/myshopify/);
    expect(() => createAdminGraphql({ shop: SHOP, accessToken: "t", apiVersion: "October26" })).toThrow(/apiVersion/);
  });

  it("logs each query's name, requested and actual cost and remaining budget at debug level (pino-compatible)", async () => {
    const lines: string[] = [];
    const log = createLogger("debug", new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) }));
    const { graphql } = client([ok({ shop: {} }, { requested: 12, available: 988 })], { log });
    await graphql.request(SHOP_QUERY);
    const entry = JSON.parse(lines.find((line) => line.includes('"operation":"shopBasics"'))!);
    expect(entry).toMatchObject({ level: 20, operation: "shopBasics", requestedQueryCost: 12, actualQueryCost: 12, currentlyAvailable: 988, maximumAvailable: 1000, restoreRate: 50 });
    expect(lines.join("")).not.toContain("shpat_test");
  });
});

describe("createAdminGraphql: the cost bucket", () => {
  it("waits before a query whose last known cost exceeds the restored budget", async () => {
    const { graphql, clock, calls } = client([ok({ shop: {} }, { requested: 100, available: 30 }), ok({ shop: {} }, { requested: 100, available: 0 })]);
    await graphql.request(SHOP_QUERY);
    expect(clock.sleeps).toEqual([]);
    clock.advance(400); // 30 + 0.4 s × 50 = 50 points restored so far
    await graphql.request(SHOP_QUERY);
    expect(clock.sleeps).toEqual([1_000]); // the missing 50 points at 50/s
    expect(calls).toHaveLength(2);
  });

  it("makes concurrent callers queue for the bucket instead of stampeding", async () => {
    // Time stands still here, so every caller decides against the same bucket.
    const sleeps: number[] = [];
    const { graphql } = client(
      [ok({ shop: {} }, { requested: 50, available: 100, rate: 100 }), ok({ shop: {} }), ok({ shop: {} }), ok({ shop: {} }), ok({ shop: {} })],
      { sleep: async (ms) => void sleeps.push(ms) },
    );
    await graphql.request(SHOP_QUERY);
    await Promise.all([1, 2, 3, 4].map(() => graphql.request(SHOP_QUERY)));
    // 100 available: two go at once, the third waits for 50 points (0.5 s), the fourth for 100.
    expect(sleeps.sort((a, b) => a - b)).toEqual([500, 1_000]);
  });

  it("sends one request to learn the bucket before letting others go", async () => {
    let answer!: (response: Response) => void;
    const first = new Promise<Response>((resolve) => (answer = resolve));
    const { graphql, calls } = client([() => first, ok({ shop: {} }), ok({ shop: {} })]);
    const all = Promise.all([graphql.request(SHOP_QUERY), graphql.request(SHOP_QUERY), graphql.request(SHOP_QUERY)]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toHaveLength(1);
    answer(new Response(JSON.stringify(ok({ shop: {} }, { requested: 10, available: 990 }).body), { status: 200 }));
    await all;
    expect(calls).toHaveLength(3);
  });
});

describe("createAdminGraphql: retries", () => {
  it("on THROTTLED, waits for the bucket to restore the requested cost, then retries", async () => {
    const { graphql, clock, calls } = client([throttled(110, 10), ok({ shop: { name: "ok" } }, { requested: 110, available: 0 })]);
    const result = await graphql.request<{ shop: { name: string } }>(SHOP_QUERY);
    expect(result.data.shop.name).toBe("ok");
    expect(calls).toHaveLength(2);
    // Jittered backoff (0.5 × 500 ms), then the rest of (110 − 10) / 50 per second = 2 s.
    expect(clock.sleeps).toEqual([250, 1_750]);
  });

  it("on HTTP 429, waits what Retry-After says", async () => {
    const { graphql, clock, calls } = client([
      { status: 429, body: { errors: "Exceeded 2 calls per second for api client." }, headers: { "Retry-After": "2.0" } },
      ok({ shop: {} }),
    ]);
    await graphql.request(SHOP_QUERY);
    expect(calls).toHaveLength(2);
    expect(clock.sleeps).toEqual([2_000]);
  });

  it("on 503 twice, backs off with jitter and then succeeds", async () => {
    const { graphql, clock, calls } = client([
      { status: 503, body: "Service Unavailable" },
      { status: 503, body: "Service Unavailable" },
      ok({ shop: { name: "ok" } }),
    ]);
    await expect(graphql.request(SHOP_QUERY)).resolves.toMatchObject({ data: { shop: { name: "ok" } } });
    expect(calls).toHaveLength(3);
    expect(clock.sleeps).toEqual([250, 500]); // 0.5 × 500, 0.5 × 1000
  });

  it("retries network errors and timeouts", async () => {
    const hang = () => new Promise<Response>(() => undefined);
    const { fetch, calls } = scriptedFetch([new TypeError("fetch failed"), hang, ok({ shop: {} })]);
    const retried: unknown[] = [];
    const graphql = createAdminGraphql({
      shop: SHOP,
      accessToken: "t",
      apiVersion: "2026-10",
      // The hanging fetch honours the abort signal like the real one.
      fetch: ((input: string, init: RequestInit) => {
        const reply = fetch(input, init);
        return new Promise<Response>((resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
          reply.then(resolve, reject);
        });
      }) as typeof globalThis.fetch,
      timeoutMs: 30,
      sleep: async () => undefined,
      random: () => 0,
      log: { debug: (entry, message) => void (message?.includes("retrying") && retried.push(entry.code)) },
    });
    await graphql.request(SHOP_QUERY);
    expect(calls).toHaveLength(3);
    expect(retried).toEqual(["NETWORK", "TIMEOUT"]);
  });

  it("does not retry GraphQL errors other than THROTTLED, and keeps Shopify's message", async () => {
    const { graphql, calls } = client([
      { body: { errors: [{ message: "Field 'colour' doesn't exist on type 'Shop'", extensions: { code: "undefinedField" } }] } },
    ]);
    const error = await rejection(graphql.request(SHOP_QUERY));
    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ code: "undefinedField", retryable: false, status: 200, attempts: 1, operation: "shopBasics" });
    expect(error.message).toContain("Field 'colour' doesn't exist on type 'Shop'");
  });

  it("does not retry userErrors; the caller may ask for them instead", async () => {
    const payload = { tagsAdd: { node: null, userErrors: [{ field: ["id"], message: "Customer does not exist" }] } };
    const mutation = "mutation addTags($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }";
    const { graphql, calls } = client([{ body: { data: payload } }, { body: { data: payload } }]);
    const error = await rejection(graphql.request(mutation, { id: "gid://shopify/Customer/1", tags: ["vip"] }));
    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ code: "USER_ERRORS", retryable: false, userErrors: [{ field: ["id"], message: "Customer does not exist", code: null }] });
    expect(error.message).toContain("id: Customer does not exist");
    await expect(graphql.request(mutation, {}, { allowUserErrors: true })).resolves.toMatchObject({ data: payload });
  });

  it("does not retry 4xx answers such as a revoked token", async () => {
    const { graphql, calls } = client([{ status: 401, body: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" } }]);
    const error = await rejection(graphql.request(SHOP_QUERY));
    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ status: 401, code: "HTTP_ERROR", retryable: false });
    expect(error.message).toContain("Invalid API key or access token");
  });

  it("gives up after the maximum number of attempts with a retryable error", async () => {
    const { graphql, clock, calls } = client(Array.from({ length: 10 }, () => ({ status: 502, body: "Bad Gateway" })), { retry: { maxAttempts: 4 } });
    const error = await rejection(graphql.request(SHOP_QUERY));
    expect(calls).toHaveLength(4);
    expect(clock.sleeps).toHaveLength(3);
    expect(error).toMatchObject({ status: 502, code: "HTTP_5XX", retryable: true, attempts: 4 });
    expect(error.message).toMatch(/gave up after 4 attempts/);
  });

  it("refuses, without sending, a query the bucket cannot restore within the time limit", async () => {
    const { graphql, clock, calls } = client([ok({ shop: {} }, { requested: 500, available: 0, rate: 1 })], { retry: { maxElapsedMs: 60_000 } });
    await graphql.request(SHOP_QUERY);
    const error = await rejection(graphql.request(SHOP_QUERY)); // 500 points at 1/s: 500 s away
    expect(calls).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(error).toMatchObject({ code: "THROTTLED", retryable: true, attempts: 0 });
    expect(error.message).toMatch(/would not hold 500 points within 60000 ms.*not sent/);
  });

  it("gives up rather than wait past the time limit", async () => {
    const { graphql, clock, calls } = client([{ status: 429, headers: { "Retry-After": "300" } }], { retry: { maxElapsedMs: 60_000 } });
    const error = await rejection(graphql.request(SHOP_QUERY));
    expect(calls).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(error).toMatchObject({ code: "HTTP_429", retryable: true, attempts: 1 });
  });
});
