// One store's full rescoring: RFM (scores, snapshot, transitions), then the BG/NBD + Gamma-Gamma
// predictions, then clusters. Recorded as a SyncRun (kind "rescore") for the UI; the models and
// their parameters are kept in the RfmRun's params so the numbers stay explainable later.
import type { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { finishSyncRun, startSyncRun } from "#app/core/sync/sync-runs.server.ts";
import { rescoreRfm, type RfmRunResult } from "./rfm.server.ts";
import { rescorePredictions, type PredictionResult } from "./predict.server.ts";
import { rescoreClusters, type ClusterResult } from "./clusters.server.ts";

export interface RescoreResult {
  rfm: RfmRunResult;
  predictions: PredictionResult;
  clusters: ClusterResult;
  seconds: { rfm: number; predictions: number; clusters: number };
}

/** `settings.analytics.clusters.k`: a fixed cluster count set by the merchant, or automatic. */
function clusterK(settings: unknown): number | null {
  const k = (settings as { analytics?: { clusters?: { k?: unknown } } } | null)?.analytics?.clusters?.k;
  if (k === undefined || k === null) return null;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 2 || k > 10) throw new Error(`settings.analytics.clusters.k must be a whole number from 2 to 10 or null (got ${JSON.stringify(k)})`);
  return k;
}

export async function rescoreStore(db: Db, storeId: number, asOf = new Date()): Promise<RescoreResult> {
  const sync = await startSyncRun(db, storeId, "rescore", 3);
  try {
    const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { settings: true } });
    const k = clusterK(store.settings);
    let t = performance.now();
    const lap = () => {
      const s = (performance.now() - t) / 1000;
      t = performance.now();
      return s;
    };
    const rfm = await rescoreRfm(db, storeId, undefined, asOf);
    const rfmSeconds = lap();
    const predictions = await rescorePredictions(db, storeId, asOf);
    const predictionSeconds = lap();
    const clusters = await rescoreClusters(db, storeId, { k }, asOf);
    const clusterSeconds = lap();
    const models = {
      bgnbd: predictions.bgnbd,
      gammaGamma: predictions.gammaGamma,
      clusters: clusters.model,
      skipped: [predictions.skipped, clusters.skipped].filter(Boolean),
    };
    await db.$executeRaw`UPDATE "RfmRun" SET params = params || ${JSON.stringify({ models })}::jsonb WHERE "storeId" = ${storeId} AND id = ${rfm.runId}`;
    await db.syncRun.update({ where: { storeId_id: { storeId, id: sync.id } }, data: { done: 3 } });
    await finishSyncRun(db, sync);
    return { rfm, predictions, clusters, seconds: { rfm: rfmSeconds, predictions: predictionSeconds, clusters: clusterSeconds } };
  } catch (e) {
    await finishSyncRun(db, sync, e instanceof Error ? e.message : String(e));
    throw e;
  }
}

/** The models of the latest run (for the UI: parameters, cluster profiles, what was skipped). */
export async function latestRescore(db: Db, storeId: number): Promise<{ runId: number; createdAt: Date; customers: number; params: Prisma.JsonValue } | null> {
  return db.rfmRun.findFirst({ where: { storeId }, orderBy: { id: "desc" }, select: { id: true, createdAt: true, customers: true, params: true } }).then((r) => (r ? { runId: r.id, createdAt: r.createdAt, customers: r.customers, params: r.params } : null));
}
