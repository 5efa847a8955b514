// Register the job handlers. Called by the web process (WORKER_IN_PROCESS=1, the default) and by
// `npm run worker` (app/server/worker.ts) for extra worker processes.
import type { Services } from "#app/server/services.server.ts";
import { QUEUES } from "./queues";
import { webhookBatchHandler } from "./webhook-process.server";
import { sweepStrandedReceipts } from "./webhook-intake.server";

export async function startWorkers(services: Services): Promise<void> {
  const { boss, config, log } = services;
  await boss.work(
    QUEUES.webhookProcess,
    { batchSize: 25, localConcurrency: config.WORKER_CONCURRENCY, pollingIntervalSeconds: 1, burstWhenBatchFull: true },
    webhookBatchHandler(services),
  );
  await boss.work(QUEUES.webhookSweep, async () => {
    const n = await sweepStrandedReceipts(services);
    if (n) log.warn({ receipts: n }, "re-enqueued webhook receipts that were never processed");
  });
  await boss.schedule(QUEUES.webhookSweep, "* * * * *");
  log.info({ concurrency: config.WORKER_CONCURRENCY }, "job workers started");
}
