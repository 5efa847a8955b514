// Register the job handlers. Called by the web process (WORKER_IN_PROCESS=1, the default) and by
// `npm run worker` (app/server/worker.ts) for extra worker processes.
import type { Services } from "#app/server/services.server.ts";
import { QUEUES } from "./queues";
import { webhookBatchHandler } from "./webhook-process.server";
import { sweepStrandedReceipts } from "./webhook-intake.server";
import { runShopifyBackfill } from "./shopify-backfill.server.ts";
import type { StoreJob } from "./queues";
import { enqueueDailyRescores, enqueueRescore, runRescoreJob } from "./rescore.server.ts";

export async function startWorkers(services: Services): Promise<void> {
  const { boss, config, log } = services;
  await boss.work(
    QUEUES.webhookProcess,
    { batchSize: 200, localConcurrency: config.WORKER_CONCURRENCY, pollingIntervalSeconds: 0.5, burstWhenBatchFull: true },
    webhookBatchHandler(services),
  );
  await boss.work(QUEUES.webhookSweep, async () => {
    const n = await sweepStrandedReceipts(services);
    if (n) log.warn({ receipts: n }, "re-enqueued webhook receipts that were never processed");
  });
  await boss.schedule(QUEUES.webhookSweep, "* * * * *");
  await boss.work<StoreJob>(QUEUES.shopifyBackfill, { pollingIntervalSeconds: 2 }, async ([job]) => {
    const result = await runShopifyBackfill(services, job!.data.storeId);
    log.info({ storeId: job!.data.storeId, ...result }, "Shopify backfill finished");
    await enqueueRescore(boss, job!.data.storeId);
  });
  await boss.work<StoreJob>(QUEUES.rescore, { pollingIntervalSeconds: 5 }, async ([job]) => runRescoreJob(services, job!.data.storeId));
  await boss.work(QUEUES.rescoreDaily, async () => void (await enqueueDailyRescores(services)));
  // 04:00 UTC = 01:00 in São Paulo: after the day's orders, before merchants look.
  await boss.schedule(QUEUES.rescoreDaily, "0 4 * * *");
  log.info({ concurrency: config.WORKER_CONCURRENCY }, "job workers started");
}
