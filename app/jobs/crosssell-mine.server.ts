// The crosssell.mine job: rebuild one store's co-purchase pairs (app/core/cross-sell), and the
// nightly tick that asks for it for every installed store.
import type { Services } from "#app/server/services.server.ts";
import { minePairs, type MiningResult } from "#app/core/cross-sell/mine-pairs.server.ts";
import { QUEUES, type StoreJob } from "./queues.ts";

export async function runCrossSellMine(services: Pick<Services, "db" | "log">, storeId: number): Promise<MiningResult | null> {
  const store = await services.db.store.findUnique({ where: { id: storeId }, select: { uninstalledAt: true } });
  if (!store || store.uninstalledAt) return null;
  const result = await minePairs(services.db, storeId);
  services.log.info({ storeId, ...result }, "co-purchase pairs mined");
  return result;
}

/** Ask for a mining pass (after a backfill, from the UI); collapses with one already queued. */
export async function requestCrossSellMine(services: Pick<Services, "boss">, storeId: number): Promise<void> {
  await services.boss.send(QUEUES.crossSellMine, { storeId } satisfies StoreJob, { singletonKey: String(storeId) });
}

export async function enqueueCrossSellMining(services: Pick<Services, "db" | "boss">): Promise<number> {
  const stores = await services.db.store.findMany({ where: { uninstalledAt: null }, select: { id: true } });
  for (const { id } of stores) await requestCrossSellMine(services, id);
  return stores.length;
}
