// Register the job handlers. Called by the worker process (app/server/worker.ts: `npm start`'s
// child with WORKERS=child, the default, or `npm run worker`), or by the web process (WORKERS=inline).
import type { Services } from "#app/server/services.server.ts";
import { QUEUES } from "./queues";
import { webhookBatchHandler } from "./webhook-process.server";
import { sweepStrandedReceipts } from "./webhook-intake.server";
import { runShopifyBackfill } from "./shopify-backfill.server.ts";
import type { StoreJob } from "./queues";
import { RECONCILE_CRON } from "./queues";
import { runTagPush } from "./tag-push.server.ts";
import { enqueueShopifyReconciliations, reconcileShopifyStore } from "./shopify-reconcile.server.ts";
import { runWooBackfill } from "./woocommerce-backfill.server.ts";
import { reconcileAllWooStores, watchWooWebhooks } from "./woocommerce-maintenance.server.ts";
import { enqueueDailyRescores, enqueueRescore, runRescoreJob } from "./rescore.server.ts";
import { CROSS_SELL_MINE_CRON } from "./queues";
import { enqueueCrossSellMining, requestCrossSellMine, runCrossSellMine } from "./crosssell-mine.server.ts";
import { installWebPixel } from "./shopify-web-pixel.server.ts";
import { runSegmentsRefresh } from "./segments-refresh.server.ts";
import { RETENTION_CRON, type ShopDeletionJob } from "./queues";
import { runRetention } from "./retention.server.ts";
import { rotateSecrets, runShopDeletion } from "./privacy-jobs.server.ts";
import { FLOWS_SCAN_CRON } from "./queues";
import { enqueueFlowScans, flowRuntime, scanAndSchedule } from "./flows-scan.server.ts";
import { runFlowStep } from "./flows-step.server.ts";
import type { StepJob } from "#app/core/flows/step.server.ts";
import { MAILCHIMP_SYNC_CRON } from "./queues";
import { enqueueAllMailchimpSyncs, runMailchimpSync } from "./mailchimp-sync.server.ts";
import { DASHBOARD_REFRESH_CRON } from "./queues";
import { refreshAllDailyStats } from "./dashboard-refresh.server.ts";
import { runEmailConsentPush, type EmailConsentJob } from "./shopify-email-consent.server.ts";

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
    const result = await runShopifyBackfill(services, job!.data.storeId, { runId: job!.data.runId });
    log.info({ storeId: job!.data.storeId, ...result }, "Shopify backfill finished");
    await enqueueRescore(boss, job!.data.storeId);
    // A store's whole history just arrived: its "compre junto" pairs need not wait for the night.
    await requestCrossSellMine(services, job!.data.storeId);
  });
  await boss.work(QUEUES.shopifyReconcileAll, async () => {
    await enqueueShopifyReconciliations(services);
  });
  await boss.schedule(QUEUES.shopifyReconcileAll, RECONCILE_CRON);
  await boss.work<StoreJob>(QUEUES.shopifyReconcile, { pollingIntervalSeconds: 5 }, async ([job]) => {
    const outcome = await reconcileShopifyStore(services, job!.data.storeId);
    log.info({ storeId: job!.data.storeId, ...outcome }, "Shopify reconciliation finished");
  });
  await boss.work<StoreJob>(QUEUES.tagsPush, { pollingIntervalSeconds: 2 }, async ([job]) => {
    await runTagPush(services, job!.data.storeId, { runId: job!.data.runId });
  });
  await boss.work<StoreJob>(QUEUES.wooBackfill, { pollingIntervalSeconds: 2 }, async ([job]) => {
    const result = await runWooBackfill(services, job!.data.storeId);
    log.info({ storeId: job!.data.storeId, ...result }, "WooCommerce backfill finished");
  });
  await boss.work(QUEUES.wooWebhookWatch, async () => {
    const repaired = await watchWooWebhooks(services);
    if (repaired) log.warn({ repaired }, "re-enabled or recreated WooCommerce webhooks");
  });
  await boss.schedule(QUEUES.wooWebhookWatch, "*/15 * * * *");
  await boss.work(QUEUES.wooReconcile, async () => void (await reconcileAllWooStores(services)));
  await boss.schedule(QUEUES.wooReconcile, "*/30 * * * *");
  await boss.work<StoreJob>(QUEUES.rescore, { pollingIntervalSeconds: 5 }, async ([job]) => runRescoreJob(services, job!.data.storeId));
  await boss.work(QUEUES.rescoreDaily, async () => void (await enqueueDailyRescores(services)));
  // 04:00 UTC = 01:00 in São Paulo: after the day's orders, before merchants look.
  await boss.schedule(QUEUES.rescoreDaily, "0 4 * * *");
  await boss.work<StoreJob>(QUEUES.crossSellMine, { pollingIntervalSeconds: 5 }, async ([job]) => {
    await runCrossSellMine(services, job!.data.storeId);
  });
  await boss.work(QUEUES.crossSellMineAll, async () => {
    await enqueueCrossSellMining(services);
  });
  await boss.schedule(QUEUES.crossSellMineAll, CROSS_SELL_MINE_CRON);
  await boss.work<StoreJob>(QUEUES.shopifyWebPixel, { pollingIntervalSeconds: 5 }, async ([job]) => {
    await installWebPixel(services, job!.data.storeId);
  });
  await boss.work<StoreJob>(QUEUES.segmentsRefresh, { pollingIntervalSeconds: 2 }, async ([job]) => runSegmentsRefresh(services, job!.data.storeId));
  await boss.work<ShopDeletionJob>(QUEUES.privacyShopDelete, { pollingIntervalSeconds: 5 }, async ([job]) => void (await runShopDeletion(services, job!.data)));
  await boss.work(QUEUES.privacyRetention, async () => void (await runRetention(services)));
  await boss.schedule(QUEUES.privacyRetention, RETENTION_CRON);
  await boss.work(QUEUES.privacyRotateKeys, async () => void (await rotateSecrets(services)));
  // Each start: encrypt session tokens written in plain text and move envelopes off ENCRYPTION_KEY_OLD.
  await boss.send(QUEUES.privacyRotateKeys, {}, { singletonKey: "rotate" });
  await boss.work(QUEUES.flowsScanAll, async () => void (await enqueueFlowScans(services)));
  await boss.schedule(QUEUES.flowsScanAll, FLOWS_SCAN_CRON);
  await boss.work<StoreJob>(QUEUES.flowsScan, { pollingIntervalSeconds: 2 }, async ([job]) => void (await scanAndSchedule(services, job!.data.storeId)));
  const flows = flowRuntime(services);
  // One step per job (a failing step retries alone); a few at once, as sends mostly wait on the network.
  await boss.work<StepJob>(QUEUES.flowsStep, { localConcurrency: 4, pollingIntervalSeconds: 1 }, async ([job]) => void (await runFlowStep(flows, job!.data)));
  await boss.work<StoreJob>(QUEUES.mailchimpSync, { pollingIntervalSeconds: 5 }, async ([job]) => {
    await runMailchimpSync(services, job!.data.storeId);
  });
  await boss.work(QUEUES.mailchimpSyncAll, async () => void (await enqueueAllMailchimpSyncs(services)));
  await boss.schedule(QUEUES.mailchimpSyncAll, MAILCHIMP_SYNC_CRON);
  await boss.work(QUEUES.dashboardRefreshDaily, async () => void (await refreshAllDailyStats(services)));
  await boss.schedule(QUEUES.dashboardRefreshDaily, DASHBOARD_REFRESH_CRON);
  await boss.work<EmailConsentJob>(QUEUES.shopifyEmailConsent, { pollingIntervalSeconds: 5 }, async ([job]) => void (await runEmailConsentPush(services, job!.data)));
  log.info({ concurrency: config.WORKER_CONCURRENCY }, "job workers started");
}
