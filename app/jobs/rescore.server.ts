// The rescoring job: one store per job (singleton per store, so a daily run and a post-backfill
// run never overlap), and a daily job that enqueues every installed store.
import type { PgBoss } from "pg-boss";
import type { Services } from "#app/server/services.server.ts";
import { rescoreStore } from "#app/core/analytics/rescore-store.server.ts";
import { QUEUES, type StoreJob } from "./queues.ts";
import { requestSegmentsRefresh } from "./segments-refresh.server.ts";

/** Queue a rescoring of one store (after a backfill, or when the merchant changes RFM options). */
export async function enqueueRescore(boss: Pick<PgBoss, "send">, storeId: number): Promise<void> {
  await boss.send(QUEUES.rescore, { storeId } satisfies StoreJob, { singletonKey: String(storeId) });
}

export async function runRescoreJob(services: Pick<Services, "db" | "log" | "boss">, storeId: number): Promise<void> {
  const result = await rescoreStore(services.db, storeId);
  services.log.info(
    { storeId, customers: result.rfm.customers, changed: result.rfm.changed, clusters: result.clusters.model?.k ?? null, skipped: [result.predictions.skipped, result.clusters.skipped].filter(Boolean), seconds: result.seconds },
    "store rescored",
  );
  // New scores move customers between segments (and the automatic ones follow the new model).
  await requestSegmentsRefresh(services.boss, storeId);
}

/** Daily: every store that is still installed. */
export async function enqueueDailyRescores(services: Pick<Services, "db" | "boss">): Promise<number> {
  const stores = await services.db.store.findMany({ where: { uninstalledAt: null }, select: { id: true } });
  for (const s of stores) await enqueueRescore(services.boss, s.id);
  return stores.length;
}
