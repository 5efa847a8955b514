// A resync or tag push asked for from the UI creates its queued run and its job together: racing
// clicks give one run and one job, a job pg-boss refuses (one already queued for the store) or an
// enqueue that fails leaves no orphan "queued" run blocking the button.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUES } from "../../app/jobs/queues.ts";
import { requestSyncRun } from "../../app/jobs/request-sync-run.server.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

let services: TestServices;

beforeAll(async () => {
  services = await startTestServices();
});
afterAll(async () => {
  await services?.stop();
});

async function newStore(domain: string) {
  return (await services.db.store.create({ data: { platform: "shopify", domain, name: domain } })).id;
}
const jobs = (storeId: number, queue: string) =>
  services.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${queue} AND data->>'storeId' = ${String(storeId)}`.then((r) => r[0]!.n);
const runs = (storeId: number) => services.db.syncRun.findMany({ where: { storeId }, select: { id: true, kind: true, status: true } });

describe("requestSyncRun", () => {
  it("gives racing clicks one queued run and one job carrying its id", async () => {
    const storeId = await newStore("race.myshopify.com");
    const results = await Promise.all(Array.from({ length: 4 }, () => requestSyncRun(services, storeId, "tag_push", QUEUES.tagsPush)));
    const created = results.filter((r) => r !== null);
    expect(created).toHaveLength(1);
    expect(await runs(storeId)).toEqual([{ id: created[0]!.id, kind: "tag_push", status: "queued" }]);
    const [job] = await services.db.$queryRaw<{ runId: string }[]>`SELECT data->>'runId' AS "runId" FROM pgboss.job WHERE name = ${QUEUES.tagsPush} AND data->>'storeId' = ${String(storeId)}`;
    expect(job?.runId).toBe(String(created[0]!.id));
  });

  it("leaves no run when pg-boss already holds a queued job for the store", async () => {
    const storeId = await newStore("queued.myshopify.com");
    // Queued some other way (no run row): the stately queue takes one queued job per store.
    expect(await services.boss.send(QUEUES.tagsPush, { storeId }, { singletonKey: String(storeId), startAfter: 3600 })).toBeTruthy();
    expect(await requestSyncRun(services, storeId, "tag_push", QUEUES.tagsPush)).toBeNull();
    expect(await runs(storeId)).toEqual([]);
    expect(await jobs(storeId, QUEUES.tagsPush)).toBe(1);
  });

  it("leaves no run when the enqueue fails", async () => {
    const storeId = await newStore("broken.myshopify.com");
    await expect(requestSyncRun(services, storeId, "backfill", "no.such-queue")).rejects.toThrow();
    expect(await runs(storeId)).toEqual([]);
    // And the button works afterwards.
    expect(await requestSyncRun(services, storeId, "backfill", QUEUES.shopifyBackfill)).not.toBeNull();
    expect(await jobs(storeId, QUEUES.shopifyBackfill)).toBe(1);
  });
});
