// Rescoring runs in a worker thread (app/jobs/rescore-thread.server.ts): its CPU-bound model fits
// and k-means used to block the job worker's event loop, so webhook batches and pg-boss heartbeats
// stalled behind it (bench/load.bench.ts, DESIGN "Reliability under faults"). The thread must
// write exactly what the inline path writes, and a failure in it must reach the job as an error.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";
import { rescoreStore } from "../../app/core/analytics/rescore-store.server.ts";
import { runRescoreJob } from "../../app/jobs/rescore.server.ts";
import { canRescoreInThread } from "../../app/jobs/rescore-thread.server.ts";
import { createLogger } from "../../app/logger.server.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";
import { customer, order } from "../support/analytics-data.ts";
import type { Db } from "../../app/db/client.server.ts";

let services: TestServices;

beforeAll(async () => {
  services = await startTestServices();
});
afterAll(async () => services?.cleanup());

async function seededStore(db: Db, domain: string): Promise<number> {
  const storeId = (await db.store.create({ data: { platform: "shopify", domain, name: domain, timezone: "America/Sao_Paulo" } })).id;
  const changes = [];
  // Deterministic pseudo-random history over two years (a linear congruential generator).
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const start = Date.UTC(2024, 10, 1);
  for (let c = 1; c <= 120; c++) {
    changes.push({ kind: "customer.upsert" as const, customer: customer(`c${c}`) });
    const first = start + rand() * 600 * 86_400_000;
    const count = 1 + Math.floor(-Math.log(1 - rand()) * 3);
    for (let i = 0; i < count; i++) {
      const at = new Date(first + rand() * (start + 720 * 86_400_000 - first));
      changes.push(order({ id: `o${c}-${i}`, customer: `c${c}`, placedAt: at, totalMinor: BigInt(1000 + Math.floor(rand() * rand() * 50_000)) }));
    }
  }
  await applyChanges(db, storeId, changes);
  return storeId;
}

const scores = (db: Db, storeId: number) =>
  db.customerStats.findMany({ where: { storeId }, orderBy: { customerId: "asc" }, select: { rScore: true, fScore: true, mScore: true, rfmSegment: true, cluster: true } });

describe("rescoring in a worker thread", () => {
  it("writes the same scores as the inline path, and says it ran in a thread", async () => {
    const { db } = services;
    expect(canRescoreInThread()).toBe(true);
    const threaded = await seededStore(db, "thread-a.myshopify.com");
    const inline = await seededStore(db, "thread-b.myshopify.com");
    const lines: string[] = [];
    const log = createLogger("info", new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    await runRescoreJob({ db, log, boss: services.boss, databaseUrl: services.databaseUrl }, threaded);
    await rescoreStore(db, inline);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; thread?: boolean; customers?: number }).find((l) => l.msg === "store rescored");
    expect(logged).toMatchObject({ thread: true, customers: 120 });
    const a = await scores(db, threaded);
    expect(a.filter((s) => s.rfmSegment !== null)).toHaveLength(120);
    expect(a).toEqual(await scores(db, inline));
    expect(await db.rfmRun.count({ where: { storeId: threaded } })).toBe(1);
  });

  it("fails the job with the thread's error", async () => {
    const { db } = services;
    const log = createLogger("silent");
    // No such store: the thread's first write fails, and the job sees that error.
    await expect(runRescoreJob({ db, log, boss: services.boss, databaseUrl: services.databaseUrl }, 987654)).rejects.toThrow(/syncRun|foreign key|Store/i);
    expect(await db.rfmRun.count({ where: { storeId: 987654 } })).toBe(0);
  });
});
