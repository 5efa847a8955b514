// Every queue the app uses, with its retry and batching policy, in one place.
import type { Queue } from "pg-boss";

export const QUEUES = {
  /** Process stored webhook receipts (Shopify, WooCommerce). */
  webhookProcess: "webhook.process",
  /** Receipts that failed every retry: kept for the UI's dead-letter list. */
  webhookDead: "webhook.dead",
  /** Re-enqueue receipts that were stored but never queued (crash between the two). */
  webhookSweep: "webhook.sweep",
  /** Import a Shopify store's history with Bulk Operations (on install and on "resync"). */
  shopifyBackfill: "shopify.backfill",
  /** Pull what changed since the last sync, per store, to heal missed webhooks. */
  shopifyReconcile: "shopify.reconcile",
  /** The schedule tick that enqueues one shopify.reconcile per store. */
  shopifyReconcileAll: "shopify.reconcile-all",
  /** Push segment tags of one store to its platform (diff only). */
  tagsPush: "tags.push",
  /** Register a WooCommerce store's webhooks and import its history over REST (resumable). */
  wooBackfill: "woocommerce.backfill",
  /** Every 15 minutes: re-enable or recreate WooCommerce webhooks that were disabled or deleted. */
  wooWebhookWatch: "woocommerce.webhooks-watch",
  /** Every 30 minutes: re-read what changed since the last pass (`modified_after`) to heal lost webhooks. */
  wooReconcile: "woocommerce.reconcile",
  /** Rescore one store: RFM, predictions, clusters (daily, after a backfill, on options change). */
  rescore: "analytics.rescore",
  /** Daily cron: enqueue a rescore of every installed store. */
  rescoreDaily: "analytics.rescore-daily",
  /** Rebuild one store's co-purchase pairs ("compre junto"): nightly, and after a backfill. */
  crossSellMine: "crosssell.mine",
  /** The nightly tick that enqueues one crosssell.mine per store. */
  crossSellMineAll: "crosssell.mine-all",
  /** Sync one store's consenting customers and segment tags to its Mailchimp audience (diff only). */
  mailchimpSync: "mailchimp.sync",
  /** The daily tick that enqueues one mailchimp.sync per connected store. */
  mailchimpSyncAll: "mailchimp.sync-all",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const QUEUE_OPTIONS: Record<QueueName, Omit<Queue, "name">> = {
  [QUEUES.webhookProcess]: {
    retryLimit: 6,
    retryDelay: 2,
    retryBackoff: true,
    retryDelayMax: 600,
    expireInSeconds: 300,
    // The worker touches its jobs every 15 s; a worker that died (kill -9, OOM) leaves them to be
    // retried after 30 s of silence instead of after the 5-minute expiry.
    heartbeatSeconds: 30,
    deadLetter: QUEUES.webhookDead,
    notify: true,
  },
  [QUEUES.webhookDead]: { retryLimit: 0, deleteAfterSeconds: 30 * 24 * 3600 },
  [QUEUES.webhookSweep]: { retryLimit: 1, policy: "singleton" },
  // One backfill per store at a time (singletonKey = storeId); a crash re-runs it from the start,
  // which is safe because the writes converge.
  // Long jobs: a heartbeat tells a dead worker's backfill from a slow one within a minute, instead
  // of the store waiting out the 6-hour expiry.
  [QUEUES.shopifyBackfill]: { retryLimit: 5, retryDelay: 30, retryBackoff: true, expireInSeconds: 6 * 3600, heartbeatSeconds: 60, policy: "singleton" },
  // stately: at most one queued and one running per store, however often the tick fires.
  [QUEUES.shopifyReconcile]: { retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 2 * 3600, heartbeatSeconds: 60, policy: "stately" },
  [QUEUES.shopifyReconcileAll]: { retryLimit: 1, policy: "singleton" },
  // stately per store: pushes requested while one runs collapse into one more pass.
  [QUEUES.tagsPush]: { retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 6 * 3600, heartbeatSeconds: 60, policy: "stately" },
  // A retry resumes from the SyncRun cursor (page by page), not from the start.
  [QUEUES.wooBackfill]: { retryLimit: 8, retryDelay: 30, retryBackoff: true, retryDelayMax: 1800, expireInSeconds: 6 * 3600, heartbeatSeconds: 60, policy: "singleton" },
  [QUEUES.wooWebhookWatch]: { retryLimit: 1, policy: "singleton" },
  [QUEUES.wooReconcile]: { retryLimit: 1, expireInSeconds: 3600, policy: "singleton" },
  // Per store (singletonKey = storeId) one running and at most one waiting: a rescore requested
  // while one runs happens once afterwards, never twice in parallel.
  [QUEUES.rescore]: { retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 3600, heartbeatSeconds: 60, policy: "stately" },
  [QUEUES.rescoreDaily]: { retryLimit: 1, policy: "singleton" },
  // stately per store: a backfill finishing during the nightly run adds one more pass, not ten.
  [QUEUES.crossSellMine]: { retryLimit: 2, retryDelay: 300, expireInSeconds: 3600, heartbeatSeconds: 60, policy: "stately" },
  [QUEUES.crossSellMineAll]: { retryLimit: 1, policy: "singleton" },
  // stately per store: "Sync now" clicked during a sync adds one more pass, not several.
  [QUEUES.mailchimpSync]: { retryLimit: 3, retryDelay: 300, retryBackoff: true, expireInSeconds: 3 * 3600, heartbeatSeconds: 60, policy: "stately" },
  [QUEUES.mailchimpSyncAll]: { retryLimit: 1, policy: "singleton" },
};

/** Daily Mailchimp sync (cron, UTC): 05:00 UTC, after the 04:00 rescoring has refreshed segments. */
export const MAILCHIMP_SYNC_CRON = "0 5 * * *";

/** Nightly co-purchase mining (cron, UTC): 04:15 UTC is 01:15 in São Paulo, the quiet hours. */
export const CROSS_SELL_MINE_CRON = "15 4 * * *";

/** How often missed webhooks are healed (cron, UTC). */
export const RECONCILE_CRON = "*/30 * * * *";

export interface StoreJob {
  storeId: number;
  /** SyncRun queued by the UI that the job takes over (resync, push tags). */
  runId?: number;
}

export interface WebhookJob {
  storeId: number;
  receiptId: string;
}
