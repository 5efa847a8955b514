// The platform API in an outage — 429s, 5xx, dropped connections and requests that never answer,
// one after another for a long stretch — while a backfill runs as a real pg-boss job: the client
// retries and logs each retry, gives up when the outage outlasts its budget, pg-boss retries the
// job, and once the API is back the sync ends complete and equal to a clean run. Time is compressed:
// a 6-second outage against a client that gives up after ~2 s stands for minutes against minutes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { createAdminGraphql } from "../../adapters/shopify/admin-graphql.server.ts";
import { runShopifyBackfill } from "../../app/jobs/shopify-backfill.server.ts";
import { QUEUES, type StoreJob } from "../../app/jobs/queues.ts";
import { startAdminSimulator, type AdminSimulator } from "../support/shopify-admin-simulator.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";
import { serialBackfillReference, serialWooBackfillReference } from "../support/fault-reference.ts";
import { startWooSimulator } from "../support/woocommerce-simulator.ts";
import { createWooClient } from "../../adapters/woocommerce/rest-client.server.ts";
import { ensureWooStore, saveWooCredentials } from "../../app/jobs/woocommerce-connection.server.ts";
import { runWooBackfill } from "../../app/jobs/woocommerce-backfill.server.ts";
import { stateDigest } from "../support/state-digest.ts";
import { waitFor } from "../support/fault-worker.ts";

const SHOP = "faults-api.myshopify.com";
const SIM_STORE = { seed: 63, customers: 300, shopDomain: SHOP };
let services: TestServices;
let sim: AdminSimulator;

beforeAll(async () => {
  services = await startTestServices();
  sim = await startAdminSimulator({ store: SIM_STORE, accessToken: "shpat_outage", bulkPollsUntilComplete: 2 });
});
afterAll(async () => {
  await services?.cleanup();
  await sim?.close();
});

describe("platform API outage", () => {
  it("Shopify: 429/5xx/drops/timeouts for a long stretch; the backfill job retries and ends complete", async () => {
    const { db, boss } = services;
    const store = await db.store.create({ data: { platform: "shopify", domain: SHOP, name: SHOP, currency: "BRL", timezone: "America/Sao_Paulo" } });
    const logged: { level: string; msg: string; code?: unknown }[] = [];
    const client = createAdminGraphql({
      shop: SHOP,
      accessToken: "shpat_outage",
      apiVersion: sim.apiVersion,
      endpoint: sim.endpoint,
      timeoutMs: 250,
      retry: { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 400, maxElapsedMs: 2_000 },
      log: {
        debug: (obj, msg) => logged.push({ level: "debug", msg: msg ?? "", code: obj.code }),
        warn: (obj, msg) => logged.push({ level: "warn", msg: msg ?? "", code: obj.code }),
      },
    });
    // The job as the worker runs it, with the compressed client (the worker's own client reads the
    // store's session; its retry policy is the same code with production budgets).
    await boss.work<StoreJob>(QUEUES.shopifyBackfill, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
      await runShopifyBackfill(services, job!.data.storeId, { client, pollIntervalMs: 20, batchSize: 250 });
    });
    sim.failFor(6_000, [{ status: 429, retryAfterSeconds: 0.2 }, { status: 503 }, { hang: true }, { status: 502 }, { drop: true }, { status: 500 }]);
    const jobId = await boss.send(QUEUES.shopifyBackfill, { storeId: store.id } satisfies StoreJob, { singletonKey: String(store.id), retryLimit: 30, retryDelay: 1, retryBackoff: false });

    await waitFor(
      "the backfill job to complete",
      async () => {
        const [job] = await db.$queryRaw<{ state: string }[]>(Prisma.sql`SELECT state::text AS state FROM pgboss.job WHERE id = ${jobId}::uuid`);
        if (job?.state === "failed") throw new Error("backfill job failed for good");
        return job?.state === "completed";
      },
      120_000,
      250,
    );
    const [job] = await db.$queryRaw<{ retryCount: number }[]>(Prisma.sql`SELECT retry_count AS "retryCount" FROM pgboss.job WHERE id = ${jobId}::uuid`);
    expect(job!.retryCount, "pg-boss retried the job after the client gave up").toBeGreaterThan(0);

    const stats = sim.stats();
    for (const outcome of ["injected-429", "injected-5xx", "injected-hang", "injected-drop"] as const) expect(stats[outcome], outcome).toBeGreaterThan(0);
    // Every retry was logged with its cause, and each give-up too.
    const retried = new Set(logged.filter((l) => l.msg === "shopify admin graphql: retrying").map((l) => l.code));
    expect([...retried].sort()).toEqual(expect.arrayContaining(["HTTP_429", "HTTP_5XX", "NETWORK", "TIMEOUT"]));
    expect(logged.filter((l) => l.level === "warn" && l.msg === "shopify admin graphql: giving up").length).toBe(job!.retryCount);

    const runs = await db.syncRun.findMany({ where: { storeId: store.id, kind: "backfill" }, orderBy: { id: "asc" } });
    expect(runs.at(-1)!.status).toBe("done");
    expect(runs.slice(0, -1).every((r) => r.status === "failed" && /Shopify Admin GraphQL/.test(r.error ?? ""))).toBe(true);

    const expected = sim.summary();
    const digest = await stateDigest(db, store.id);
    expect([digest.products, digest.customers, digest.orders, digest.revenueMinor]).toEqual([expected.products, expected.customers, expected.orders, expected.revenueMinor.toString()]);
    expect(digest).toEqual(await serialBackfillReference({ domain: SHOP }, SIM_STORE));
  }, 180_000);

  it("WooCommerce: the same outage over REST; the import job retries, resumes from its cursor and ends complete", async () => {
    const { db, boss } = services;
    const simOptions = { seed: 9, customers: 300 };
    const woo = await startWooSimulator(simOptions);
    try {
      const store = await ensureWooStore(services, woo.url, "Loja Woo em pane");
      await saveWooCredentials(services, store.id, { consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret });
      const retries: string[] = [];
      const client = createWooClient({
        url: woo.url,
        consumerKey: woo.consumerKey,
        consumerSecret: woo.consumerSecret,
        timeoutMs: 300,
        retries: 3,
        baseDelayMs: 20,
        maxDelayMs: 200,
        onRetry: (info) => retries.push(info.reason),
      });
      const results: Awaited<ReturnType<typeof runWooBackfill>>[] = [];
      await boss.work<StoreJob>(QUEUES.wooBackfill, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
        const result = await runWooBackfill(services, job!.data.storeId, { client, webhooks: false, pagesAtOnce: 2 });
        results.push(result);
        if (result.status !== "done") throw new Error(`WooCommerce backfill ended ${result.status}`);
      });
      // The first pages go through, then the store falls over for a long stretch.
      setTimeout(() => woo.failFor(5_000, [{ status: 503 }, { status: 429, retryAfterSeconds: 0 }, { hang: true }, { drop: true }, { status: 502 }]), 300);
      const jobId = await boss.send(QUEUES.wooBackfill, { storeId: store.id } satisfies StoreJob, { singletonKey: String(store.id), retryLimit: 30, retryDelay: 1, retryBackoff: false });
      await waitFor(
        "the WooCommerce import job to complete",
        async () => {
          const [job] = await db.$queryRaw<{ state: string }[]>(Prisma.sql`SELECT state::text AS state FROM pgboss.job WHERE id = ${jobId}::uuid`);
          if (job?.state === "failed") throw new Error("WooCommerce import failed for good");
          return job?.state === "completed";
        },
        120_000,
        250,
      );
      const [job] = await db.$queryRaw<{ retryCount: number }[]>(Prisma.sql`SELECT retry_count AS "retryCount" FROM pgboss.job WHERE id = ${jobId}::uuid`);
      expect(job!.retryCount, "pg-boss retried the import").toBeGreaterThan(0);
      const kinds = new Set(woo.requests.map((r) => r.status));
      for (const k of [503, 429, "hung", "dropped", 502]) expect(kinds.has(k as never), String(k)).toBe(true);
      expect(retries.length, "client retries reported").toBeGreaterThan(5);
      expect(retries.some((r) => /timeout|ECONNRESET|socket hang up|network/i.test(r)), retries.slice(0, 5).join(" | ")).toBe(true);

      const runs = await db.syncRun.findMany({ where: { storeId: store.id, kind: "backfill" }, orderBy: { id: "asc" } });
      expect(runs.at(-1)!.status).toBe("done");
      // The run that finished picked up where the failed one stopped, not from the first page.
      expect(results.at(-1)!.resumedFrom).not.toBeNull();
      const expected = woo.expected();
      const digest = await stateDigest(db, store.id);
      expect([digest.customers, digest.orders]).toEqual([expected.customers, expected.orders]);
      expect(digest).toEqual(await serialWooBackfillReference(simOptions, "Loja Woo limpa"));
    } finally {
      await woo.close();
    }
  }, 180_000);
});
