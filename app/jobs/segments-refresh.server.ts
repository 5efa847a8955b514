// The segments.refresh job: one store per job, `stately` per store (one running, at most one
// waiting). It follows the store's scoring with its automatic segments, then refreshes every
// segment's members (writing the entered/left Events that flows start from).
//
// When it runs: after every rescore (at once), and after webhook batches that touched the store,
// debounced: the first batch queues a refresh DEBOUNCE_SECONDS later and, while that one waits,
// pg-boss's stately policy drops further requests for the store, so a burst of 10,000 webhooks
// costs one refresh a minute, not 10,000.
import type { PgBoss } from "pg-boss";
import type { Services } from "#app/server/services.server.ts";
import { segmentContext } from "#app/core/segments/compile.server.ts";
import { refreshStoreSegments, syncAutomaticSegments } from "#app/core/segments/membership.server.ts";
import { QUEUES, type StoreJob } from "./queues.ts";

export const SEGMENTS_REFRESH_DEBOUNCE_SECONDS = 60;

/** Queue a refresh of one store's segments, `delaySeconds` from now (0 = as soon as possible). */
export async function requestSegmentsRefresh(boss: Pick<PgBoss, "send">, storeId: number, delaySeconds = 0): Promise<void> {
  await boss.send(QUEUES.segmentsRefresh, { storeId } satisfies StoreJob, { singletonKey: String(storeId), ...(delaySeconds > 0 ? { startAfter: delaySeconds } : {}) });
}

/** After a webhook batch: a debounced refresh; a failure to queue it must not fail the batch. */
export async function requestSegmentsRefreshAfterWebhooks(services: Pick<Services, "boss" | "log">, storeId: number): Promise<void> {
  try {
    await requestSegmentsRefresh(services.boss, storeId, SEGMENTS_REFRESH_DEBOUNCE_SECONDS);
  } catch (err) {
    services.log.warn({ err, storeId }, "could not queue a segments refresh");
  }
}

export async function runSegmentsRefresh(services: Pick<Services, "db" | "log">, storeId: number, now = new Date()): Promise<void> {
  const { db, log } = services;
  if (!(await db.store.findUnique({ where: { id: storeId }, select: { id: true } }))) return;
  const started = performance.now();
  const automatic = await syncAutomaticSegments(db, storeId);
  const results = await refreshStoreSegments(db, await segmentContext(db, storeId, now), log);
  log.info(
    {
      storeId,
      automatic,
      segments: results.length,
      entered: results.reduce((n, r) => n + r.entered, 0),
      left: results.reduce((n, r) => n + r.left, 0),
      invalid: results.filter((r) => r.error).length,
      ms: Math.round(performance.now() - started),
    },
    "segments refreshed",
  );
}
