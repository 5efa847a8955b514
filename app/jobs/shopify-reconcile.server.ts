// Scheduled reconciliation: heal webhooks Shopify never delivered (or deleted after failures) by
// pulling everything updated since the last sync pass, through the same bulk path as a backfill.
import type { Services } from "#app/server/services.server.ts";
import { activeSyncRun } from "#app/core/sync/sync-runs.server.ts";
import { QUEUES, type StoreJob } from "./queues.ts";
import { runShopifyBackfill, type BackfillOptions, type BackfillResult } from "./shopify-backfill.server.ts";

/** Re-read a little before the last pass started: clocks differ, and a write may land late. */
export const RECONCILE_OVERLAP_MS = 5 * 60_000;

export type ReconcileOutcome = { skipped: "never-synced" | "backfill-running" | "uninstalled" } | ({ skipped: null; since: Date } & BackfillResult);

export async function reconcileShopifyStore(
  services: Pick<Services, "db" | "log" | "config" | "databaseUrl">,
  storeId: number,
  opts: Omit<BackfillOptions, "since"> = {},
): Promise<ReconcileOutcome> {
  const { db } = services;
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId } });
  if (store.uninstalledAt) return { skipped: "uninstalled" };
  // Before the first backfill there is nothing to reconcile against: the backfill brings it all.
  if (!store.lastSyncedAt) return { skipped: "never-synced" };
  if (await activeSyncRun(db, storeId, "backfill")) return { skipped: "backfill-running" };
  const since = new Date(store.lastSyncedAt.getTime() - RECONCILE_OVERLAP_MS);
  const result = await runShopifyBackfill(services, storeId, { ...opts, since });
  return { skipped: null, since, ...result };
}

/** The scheduled tick: one reconcile job per installed Shopify store (stately: never two queued). */
export async function enqueueShopifyReconciliations(services: Pick<Services, "db" | "boss">): Promise<number> {
  const stores = await services.db.store.findMany({
    where: { platform: "shopify", isDemo: false, uninstalledAt: null, lastSyncedAt: { not: null } },
    select: { id: true },
  });
  for (const { id } of stores) {
    await services.boss.send(QUEUES.shopifyReconcile, { storeId: id } satisfies StoreJob, { singletonKey: String(id) });
  }
  return stores.length;
}
