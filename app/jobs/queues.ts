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
  /** Rescore one store: RFM, predictions, clusters (daily, after a backfill, on options change). */
  rescore: "analytics.rescore",
  /** Daily cron: enqueue a rescore of every installed store. */
  rescoreDaily: "analytics.rescore-daily",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const QUEUE_OPTIONS: Record<QueueName, Omit<Queue, "name">> = {
  [QUEUES.webhookProcess]: {
    retryLimit: 6,
    retryDelay: 2,
    retryBackoff: true,
    retryDelayMax: 600,
    expireInSeconds: 300,
    deadLetter: QUEUES.webhookDead,
    notify: true,
  },
  [QUEUES.webhookDead]: { retryLimit: 0, deleteAfterSeconds: 30 * 24 * 3600 },
  [QUEUES.webhookSweep]: { retryLimit: 1, policy: "singleton" },
  // One backfill per store at a time (singletonKey = storeId); a crash re-runs it from the start,
  // which is safe because the writes converge.
  [QUEUES.shopifyBackfill]: { retryLimit: 5, retryDelay: 30, retryBackoff: true, expireInSeconds: 6 * 3600, policy: "singleton" },
  // Per store (singletonKey = storeId) one running and at most one waiting: a rescore requested
  // while one runs happens once afterwards, never twice in parallel.
  [QUEUES.rescore]: { retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 3600, policy: "stately" },
  [QUEUES.rescoreDaily]: { retryLimit: 1, policy: "singleton" },
};

export interface StoreJob {
  storeId: number;
}

export interface WebhookJob {
  storeId: number;
  receiptId: string;
}
