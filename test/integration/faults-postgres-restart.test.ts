// PostgreSQL restarts in the middle of a backfill. This file runs its OWN embedded PostgreSQL
// cluster (the shared test server must not go down under other files) and the app's real services
// on it: the pools lose every connection, the running backfill fails mid-write, the process must
// not crash (idle pooled connections closed by the server emit 'error'), pg-boss must recover and
// retry the job, and the store must end equal to a clean backfill.
import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { createAdminGraphql } from "../../adapters/shopify/admin-graphql.server.ts";
import { loadConfig } from "../../app/config.server.ts";
import { ensureDatabase, startEmbeddedPostgres, withDatabase, type RunningPostgres } from "../../app/db/embedded-postgres.server.ts";
import { runShopifyBackfill } from "../../app/jobs/shopify-backfill.server.ts";
import { QUEUES, type StoreJob } from "../../app/jobs/queues.ts";
import { createLogger } from "../../app/logger.server.ts";
import { startServices, type Services } from "../../app/server/services.server.ts";
import { freePorts, makeDataDir } from "../support/app-process.ts";
import { startAdminSimulator, type AdminSimulator } from "../support/shopify-admin-simulator.ts";
import { serialBackfillReference } from "../support/fault-reference.ts";
import { stateDigest } from "../support/state-digest.ts";
import { startFastSupervisor, waitFor } from "../support/fault-worker.ts";
import type { PgBoss } from "pg-boss";

const SHOP = "faults-pg.myshopify.com";
const SIM_STORE = { seed: 77, customers: 1500, shopDomain: SHOP };
let dir: string;
let port: number;
let pg: RunningPostgres;
let services: Services;
let supervisor: PgBoss;
let sim: AdminSimulator;
const logLines: string[] = [];

beforeAll(async () => {
  dir = makeDataDir();
  [port] = (await freePorts(1)) as [number];
  pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port });
  const url = withDatabase(pg.url, "caderninho");
  await ensureDatabase(url);
  const config = loadConfig({ NODE_ENV: "test", DATABASE_URL: url, DATA_DIR: dir, ADMIN_PASSWORD: "test-password-123", LOG_LEVEL: "info" });
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (logLines.push(chunk.toString()), done()) });
  services = await startServices(config, { log: createLogger("info", sink), schedule: false });
  supervisor = await startFastSupervisor(url);
  sim = await startAdminSimulator({ store: SIM_STORE, accessToken: "shpat_pg", bulkPollsUntilComplete: 2 });
}, 180_000);
afterAll(async () => {
  await sim?.close();
  await supervisor?.stop({ graceful: false, close: true }).catch(() => undefined);
  await services?.stop().catch(() => undefined);
  await pg?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("PostgreSQL restart mid-backfill", () => {
  it("the pools recover, pg-boss retries the job, and the store equals a clean backfill", async () => {
    const { db, boss } = services;
    const store = await db.store.create({ data: { platform: "shopify", domain: SHOP, name: SHOP, currency: "BRL", timezone: "America/Sao_Paulo" } });
    const client = createAdminGraphql({ shop: SHOP, accessToken: "shpat_pg", apiVersion: sim.apiVersion, endpoint: sim.endpoint });
    await boss.work<StoreJob>(QUEUES.shopifyBackfill, { pollingIntervalSeconds: 0.5, heartbeatRefreshSeconds: 2 }, async ([job]) => {
      // Small chunks: the restart lands between (or inside) many short transactions.
      await runShopifyBackfill(services, job!.data.storeId, { client, pollIntervalMs: 50, batchSize: 100 });
    });
    const jobId = await boss.send(QUEUES.shopifyBackfill, { storeId: store.id } satisfies StoreJob, { singletonKey: String(store.id), heartbeatSeconds: 10, retryLimit: 10, retryDelay: 1, retryBackoff: false });

    const midway = await waitFor(
      "the backfill to be writing",
      async () => {
        const r = await db.syncRun.findFirst({ where: { storeId: store.id, kind: "backfill" }, orderBy: { id: "desc" } });
        return r && r.status === "running" && r.done > 0 ? r : undefined;
      },
      60_000,
      20,
    );
    await pg.stop();
    // Down for a moment: the running job's queries, pg-boss's polls and the pools all fail now.
    await new Promise((r) => setTimeout(r, 1500));
    pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port });

    await waitFor(
      "the backfill job to complete after the restart",
      async () => {
        const [job] = await db.$queryRaw<{ state: string }[]>(Prisma.sql`SELECT state::text AS state FROM pgboss.job WHERE id = ${jobId}::uuid`).catch(() => []);
        if (job?.state === "failed") throw new Error("backfill job failed for good");
        return job?.state === "completed";
      },
      150_000,
      250,
    );
    const expected = sim.summary();
    expect(midway.done).toBeLessThan(expected.products + expected.customers + expected.orders);
    const runs = await db.syncRun.findMany({ where: { storeId: store.id, kind: "backfill" }, orderBy: { id: "asc" } });
    expect(runs.at(-1)!.status).toBe("done");
    expect(runs.length, "the interrupted run plus the one that finished").toBeGreaterThan(1);
    // The pool's idle connections were closed by the server: logged, not a crash.
    expect(logLines.some((l) => l.includes("database connection lost; reconnecting"))).toBe(true);

    const digest = await stateDigest(db, store.id);
    expect([digest.products, digest.customers, digest.orders, digest.revenueMinor]).toEqual([expected.products, expected.customers, expected.orders, expected.revenueMinor.toString()]);
    expect(digest).toEqual(await serialBackfillReference({ domain: SHOP }, SIM_STORE));
  }, 300_000);
});
