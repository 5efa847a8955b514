// The job queue on the app's own PostgreSQL: shutdown waits for jobs in flight; a job whose
// worker dies mid-way runs again; a receipt stranded by a crash between store and enqueue is
// picked up by the sweep.
import { afterEach, describe, expect, it } from "vitest";
import { startTestServices, type TestServices } from "../support/test-services.ts";
import { sweepStrandedReceipts } from "../../app/jobs/webhook-intake.server.ts";
import { QUEUES } from "../../app/jobs/queues.ts";

let services: TestServices | null = null;
afterEach(async () => {
  await services?.cleanup().catch(() => {});
  services = null;
});

describe("jobs", () => {
  it("drains a job in flight before shutting down", async () => {
    services = await startTestServices();
    const { boss } = services;
    await boss.createQueue("test.slow");
    let started = false;
    let finished = false;
    await boss.work("test.slow", { pollingIntervalSeconds: 0.5 }, async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 1500));
      finished = true;
    });
    const id = await boss.send("test.slow", {});
    while (!started) await new Promise((r) => setTimeout(r, 50));
    const probe = services.testDb; // keep the database while services stop
    await services.stop();
    expect(finished).toBe(true);
    // The job was recorded as completed, not left active for a retry.
    const pg = (await import("pg")).default;
    const c = new pg.Client({ connectionString: probe.url });
    await c.connect();
    const { rows } = await c.query("SELECT state FROM pgboss.job WHERE id = $1", [id]);
    await c.end();
    expect(rows[0]?.state).toBe("completed");
  });

  it("runs a job again after its worker failed mid-way, and only until it succeeds", async () => {
    services = await startTestServices();
    const { boss } = services;
    await boss.createQueue("test.flaky", { retryLimit: 3, retryDelay: 1 });
    let attempts = 0;
    let completions = 0;
    await boss.work("test.flaky", { pollingIntervalSeconds: 0.5 }, async () => {
      attempts += 1;
      if (attempts === 1) throw new Error("simulated crash mid-job");
      completions += 1;
    });
    await boss.send("test.flaky", {});
    const deadline = Date.now() + 20_000;
    while (completions === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500)); // room for a wrong extra run to show up
    expect(attempts).toBe(2);
    expect(completions).toBe(1);
  });

  it("re-enqueues webhook receipts that were stored but never queued", async () => {
    services = await startTestServices();
    const { db, boss } = services;
    const store = await db.store.create({ data: { platform: "shopify", domain: "x.myshopify.com", name: "X" } });
    // A receipt as a crash right after storing it would leave it: status received, no job.
    await db.webhookReceipt.create({
      data: { storeId: store.id, platform: "shopify", topic: "customers/create", dedupeKey: "w1", body: "{}", receivedAt: new Date(Date.now() - 120_000) },
    });
    await db.webhookReceipt.create({ data: { storeId: store.id, platform: "shopify", topic: "customers/create", dedupeKey: "w2", body: "{}" } });
    expect(await sweepStrandedReceipts(services, 60)).toBe(1); // only the old one: the new one may still be in flight
    const jobs = await boss.fetch(QUEUES.webhookProcess, { batchSize: 10 });
    expect(jobs.map((j) => j.data)).toEqual([{ storeId: store.id, receiptId: expect.any(String) }]);
  });

  it("brings queues made by an earlier version up to the current options at start-up", async () => {
    services = await startTestServices();
    const { boss, log, testDb } = services;
    // As an earlier version left it: no heartbeat, a longer expiry.
    await boss.updateQueue(QUEUES.webhookProcess, { heartbeatSeconds: null, expireInSeconds: 900 });
    expect((await boss.getQueue(QUEUES.webhookProcess))?.heartbeatSeconds ?? null).toBeNull();
    const { startBoss } = await import("../../app/jobs/boss.server.ts");
    const restarted = await startBoss(testDb.url, log, { schedule: false });
    try {
      const queue = await restarted.getQueue(QUEUES.webhookProcess);
      expect(queue).toMatchObject({ heartbeatSeconds: 30, expireInSeconds: 300, deadLetter: QUEUES.webhookDead });
    } finally {
      await restarted.stop({ graceful: false });
    }
  });
});
