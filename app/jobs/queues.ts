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
  /** Create (or update) a Shopify store's behaviour web pixel record after install. */
  shopifyWebPixel: "shopify.web-pixel",
  /** Refresh one store's segment members (automatic segments too): after rescoring, and debounced after webhooks. */
  segmentsRefresh: "segments.refresh",
  /** Delete every row of one store: after shop/redact, or 48 h after an uninstall (app/core/privacy). */
  privacyShopDelete: "privacy.shop-delete",
  /** Daily: blank raw webhook bodies and delete storefront events older than each store's retention. */
  privacyRetention: "privacy.retention",
  /** Re-encrypt every secret at rest with the newest key (after ENCRYPTION_KEY rotation). */
  privacyRotateKeys: "privacy.rotate-keys",
  /** Every 5 minutes: queue one flows.scan per store with an enabled flow. */
  flowsScanAll: "flows.scan-all",
  /** Find one store's flow triggers (abandoned checkouts, pending payments, events…) and enroll customers. */
  flowsScan: "flows.scan",
  /** One due flow step (delayed job, startAfter = trigger + delay): decide, then send at most once. */
  flowsStep: "flows.step",
  /** Sync one store's consenting customers and segment tags to its Mailchimp audience (diff only). */
  mailchimpSync: "mailchimp.sync",
  /** The daily tick that enqueues one mailchimp.sync per connected store. */
  mailchimpSyncAll: "mailchimp.sync-all",
  /** Hourly: recount the dashboard's marked days of every store (bounds the marks table). */
  dashboardRefreshDaily: "dashboard.refresh-daily",
  /** Tell Shopify a customer unsubscribed through our link (customerEmailMarketingConsentUpdate). */
  shopifyEmailConsent: "shopify.email-consent",
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
  // Retried for a day (scopes granted late, Shopify briefly down); one per store at a time.
  [QUEUES.shopifyWebPixel]: { retryLimit: 8, retryDelay: 60, retryBackoff: true, retryDelayMax: 3 * 3600, expireInSeconds: 600, policy: "stately" },
  // stately per store: requests while one waits are dropped (that is the webhook debounce).
  [QUEUES.segmentsRefresh]: { retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 3600, heartbeatSeconds: 60, policy: "stately" },
  // Batched deletes that each commit: a retry after a crash continues where the rows are left.
  [QUEUES.privacyShopDelete]: { retryLimit: 5, retryDelay: 60, retryBackoff: true, expireInSeconds: 6 * 3600, heartbeatSeconds: 60 },
  [QUEUES.privacyRetention]: { retryLimit: 2, retryDelay: 600, expireInSeconds: 3 * 3600, heartbeatSeconds: 60, policy: "singleton" },
  [QUEUES.privacyRotateKeys]: { retryLimit: 2, retryDelay: 60, expireInSeconds: 3600, policy: "singleton" },
  [QUEUES.flowsScanAll]: { retryLimit: 1, policy: "singleton" },
  // stately per store: a tick while a scan runs adds one more pass, not a pile.
  [QUEUES.flowsScan]: { retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 1800, policy: "stately" },
  // Provider hiccups (429, 5xx, SMTP 4xx) retry with backoff; the Message key keeps retries from double-sending.
  [QUEUES.flowsStep]: { retryLimit: 6, retryDelay: 60, retryBackoff: true, retryDelayMax: 3600, expireInSeconds: 600, deleteAfterSeconds: 7 * 24 * 3600 },
  // stately per store: "Sync now" clicked during a sync adds one more pass, not several.
  [QUEUES.mailchimpSync]: { retryLimit: 3, retryDelay: 300, retryBackoff: true, expireInSeconds: 3 * 3600, heartbeatSeconds: 60, policy: "stately" },
  [QUEUES.mailchimpSyncAll]: { retryLimit: 1, policy: "singleton" },
  [QUEUES.dashboardRefreshDaily]: { retryLimit: 1, expireInSeconds: 3600, policy: "singleton" },
  // Retried for about a day (Shopify down, token being refreshed); throttling is the client's job.
  [QUEUES.shopifyEmailConsent]: { retryLimit: 10, retryDelay: 60, retryBackoff: true, retryDelayMax: 3 * 3600, expireInSeconds: 600 },
};

/** Hourly recount of the dashboard's marked days (cron, UTC). */
export const DASHBOARD_REFRESH_CRON = "23 * * * *";

/** Daily Mailchimp sync (cron, UTC): 05:00 UTC, after the 04:00 rescoring has refreshed segments. */
export const MAILCHIMP_SYNC_CRON = "0 5 * * *";

/** Daily retention pass (cron, UTC): 05:00 UTC, after rescoring and mining. */
export const RETENTION_CRON = "0 5 * * *";

export interface ShopDeletionJob {
  storeId: number;
  reason: "shop/redact" | "uninstalled";
  /** The uninstall this deletion follows: a reinstall since then cancels it. */
  uninstalledAt: string;
}

/** How often flow triggers are looked for (cron, UTC). */
export const FLOWS_SCAN_CRON = "*/5 * * * *";

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
