// Backfill a Shopify store's history with Bulk Operations: products, customers, then orders (so
// orders find their customers: the orders query names them by id only; one created after the
// customers operation ran is fetched by id after the orders phase, fillInUnknownCustomers). Each result file is streamed (never held in memory), normalised
// and written in chunks by the bulk loader (COPY + set-based merge, the batch writer's rules).
// Re-running after a crash is safe: the upserts converge, so a backfill is simply started again
// from the phase it was in.
import { keyringOf, readStoredToken } from "#app/auth/session-crypto.server.ts";
import type { Services } from "#app/server/services.server.ts";
import { openBulkLoad, type BulkLoadOptions, type BulkLoadResult } from "#app/core/ingest/bulk-load.server.ts";
import { finishSyncRun, startSyncRun } from "#app/core/sync/sync-runs.server.ts";
import { canParseInThread, parseBulkInThread, type ParseThreadStats } from "#app/core/sync/bulk-parse-thread.server.ts";
import { createAdminGraphql, type AdminGraphqlClient } from "#adapters/shopify/admin-graphql.server.ts";
import {
  BULK_QUERIES,
  BulkOperationError,
  bulkQueryWithSearch,
  downloadBulkResult,
  fetchCustomerNodes,
  readBulkJsonl,
  startBulkQuery,
  waitForBulkOperation,
  type BulkQueryName,
} from "#adapters/shopify/bulk-operations.server.ts";
import { applyChanges } from "#app/core/ingest/apply-batch.server.ts";
import type { NormalizedChange } from "#app/core/types.ts";
import { customerStatisticsOf, normalizeBulkRecord } from "#adapters/shopify/normalize-graphql.ts";
import { openShopifyStatisticsStage, type ShopifyStatisticsRow, type ShopifyStatisticsStage } from "#app/core/analytics/shopify-rfm.server.ts";
import { SHOPIFY_WEBHOOK_API_VERSION } from "#adapters/shopify/constants.ts";

export const BACKFILL_PHASES: BulkQueryName[] = ["products", "customers", "orders"];

/**
 * A backfill (the whole history) touches nearly every customer of the store: their stats are
 * rebuilt set-based (app/core/sync/stats-rebuild.server.ts; ~15 % less PostgreSQL CPU than per
 * customer at 1M orders) once at least this many were touched. A reconciliation, touching a
 * few customers of a large store, keeps the per-customer refresh.
 */
export const BACKFILL_SET_BASED_STATS_FROM = 10_000;

export interface BackfillOptions {
  /** Client to use (tests, the simulator); default: the store's offline session. */
  client?: AdminGraphqlClient;
  /** Objects per bulk-load chunk (one transaction each); default 10,000. */
  batchSize?: number;
  pollIntervalMs?: number;
  /**
   * Reconciliation: only objects updated at or after this instant (Shopify search
   * `updated_at:>=…`). Without it, the whole history (a backfill).
   */
  since?: Date;
  /** A run queued by the UI ("resync") for this job to take over. */
  runId?: number;
  /** Touched customers from which a backfill rebuilds their stats set-based (default BACKFILL_SET_BASED_STATS_FROM; tests lower it). */
  setBasedStatsFrom?: number;
}

export interface BackfillResult {
  objects: Record<BulkQueryName, number>;
  seconds: number;
}

/** The Admin GraphQL client of a store, from its offline session (stored by the OAuth flow). */
export async function adminClientForStore(services: Pick<Services, "db" | "log" | "config"> & Partial<Pick<Services, "secrets">>, storeId: number): Promise<AdminGraphqlClient> {
  const store = await services.db.store.findUniqueOrThrow({ where: { id: storeId } });
  const session = await services.db.session.findUnique({ where: { id: `offline_${store.domain}` } });
  if (!session) throw new Error(`store ${store.domain} has no offline session: reinstall the app`);
  return createAdminGraphql({
    shop: store.domain,
    // Encrypted at rest (app/auth/session-crypto.server.ts); the keys come with the full services.
    accessToken: readStoredToken(session.accessToken, services.secrets ? keyringOf(services.secrets) : { current: "" }),
    apiVersion: SHOPIFY_WEBHOOK_API_VERSION,
    endpoint: services.config.SHOPIFY_ADMIN_ORIGIN
      ? `${services.config.SHOPIFY_ADMIN_ORIGIN.replace(/\/$/, "")}/admin/api/${SHOPIFY_WEBHOOK_API_VERSION}/graphql.json`
      : undefined,
    log: { debug: (obj, msg) => services.log.debug({ ...obj, storeId }, msg), warn: (obj, msg) => services.log.warn({ ...obj, storeId }, msg) },
  });
}

/** Has Shopify's bulk_operations/finish webhook for this operation arrived? */
export async function bulkFinishReceived(db: Services["db"], storeId: number, operationId: string): Promise<boolean> {
  const receipt = await db.webhookReceipt.findFirst({ where: { storeId, topic: "bulk_operations/finish", resourceId: operationId }, select: { id: true } });
  return receipt !== null;
}

/**
 * One bulk result file into the store: streamed, normalised and bulk-loaded (the bench times
 * exactly this). Parsing of the next chunk overlaps with PostgreSQL merging the previous one.
 * Shopify's own statistics of each customer (rfmGroup, predictedSpendTier) are queued once the
 * chunk holding that customer is committed and stored beside ours in one statement at the end
 * (openShopifyStatisticsStage).
 */
export async function loadBulkResult(
  services: Pick<Services, "db" | "databaseUrl">,
  storeId: number,
  source: Parameters<typeof readBulkJsonl>[0],
  opts: {
    shopCurrency: string;
    /** Parse in a worker thread (default: when its entry file is there, i.e. running from source). */
    parseInThread?: boolean;
    /**
     * A stage owned by the caller (a backfill's, across its phases): Shopify's statistics are
     * queued there and left for the caller, or for the set-based stats rebuild, to write.
     */
    statistics?: ShopifyStatisticsStage;
  } & BulkLoadOptions,
): Promise<BulkLoadResult & { /** Root records read from the file. */ records: number; /** CPU seconds of the parse thread (null: parsed on this thread). */ parseThreadCpu: number | null; /** Customers whose Shopify statistics were written. */ shopifyStatistics: number }> {
  let added = 0;
  let committed = 0;
  const statistics: (ShopifyStatisticsRow & { seq: number })[] = [];
  const owned = opts.statistics === undefined;
  const stage = opts.statistics ?? (await openShopifyStatisticsStage(services.db, storeId));
  let loader: Awaited<ReturnType<typeof openBulkLoad>>;
  try {
    loader = await openBulkLoad(services, storeId, {
      ...opts,
      shopifyStatistics: owned ? undefined : stage,
      onCommitted: async (count) => {
        // Chunks commit in the order their objects were added.
        committed += count;
        let ready = 0;
        while (ready < statistics.length && statistics[ready]!.seq < committed) ready++;
        await stage.add(statistics.splice(0, ready));
        await opts.onCommitted?.(count);
      },
    });
  } catch (e) {
    if (owned) await stage.close();
    throw e;
  }
  /** The loader's result, then Shopify's statistics of its (now all committed) customers (a caller's stage: the caller's to write). */
  const finish = async () => {
    const result = await loader.finish();
    return { ...result, shopifyStatistics: owned ? await stage.finish() : 0 };
  };
  try {
    if (opts.parseInThread ?? canParseInThread()) {
      // Parsing, normalising and encoding in a worker thread, overlapping with the main thread's
      // COPY and merge round trips (app/core/sync/bulk-parse-thread.server.ts).
      const threadStats: ParseThreadStats = { cpuMicros: null };
      for await (const items of parseBulkInThread(source, opts.shopCurrency, threadStats, opts.chunkSize ?? 10_000)) {
        for (const item of items) {
          if (item.statistics) statistics.push({ seq: added, ...item.statistics });
          added++;
          const wait = loader.addEncoded(item.change);
          if (wait) await wait;
        }
      }
      const result = await finish();
      return { ...result, records: added, parseThreadCpu: threadStats.cpuMicros === null ? null : threadStats.cpuMicros / 1e6 };
    } else {
      for await (const record of readBulkJsonl(source)) {
        const change = normalizeBulkRecord(record, { shopCurrency: opts.shopCurrency });
        const shopifyStats = change.kind === "customer.upsert" ? customerStatisticsOf(record.node) : null;
        if (shopifyStats && change.kind === "customer.upsert") statistics.push({ seq: added, platformId: change.customer.platformId, ...shopifyStats });
        added++;
        const wait = loader.add(change);
        if (wait) await wait;
      }
      return { ...(await finish()), records: added, parseThreadCpu: null };
    }
  } finally {
    await loader.close();
    if (owned) await stage.close();
  }
}

/**
 * The customers an orders phase named but the store did not have (BulkLoadResult.unknownCustomers:
 * created on Shopify after the customers phase's operation ran, so written as bare rows), fetched
 * by id (fetchCustomerNodes), normalised by the customers bulk file's own normaliser and written
 * by the webhooks' customer write path (applyChanges): the same rows as if the customers file had
 * held them. Their Shopify statistics go to `stage`. Normally there are none: the customers phase
 * runs just before the orders phase. Answers the customers written; one Shopify no longer has
 * keeps its bare row (its orders stay linked to it).
 */
export async function fillInUnknownCustomers(
  services: Pick<Services, "db">,
  storeId: number,
  client: AdminGraphqlClient,
  platformIds: readonly string[],
  opts: { shopCurrency: string; stage: ShopifyStatisticsStage },
): Promise<number> {
  if (platformIds.length === 0) return 0;
  const nodes = await fetchCustomerNodes(client, platformIds);
  const changes: NormalizedChange[] = [];
  const statistics: ShopifyStatisticsRow[] = [];
  for (const node of nodes) {
    const change = normalizeBulkRecord({ kind: "customer", node, children: [] }, { shopCurrency: opts.shopCurrency });
    changes.push(change);
    const shopifyStats = customerStatisticsOf(node);
    if (shopifyStats && change.kind === "customer.upsert") statistics.push({ platformId: change.customer.platformId, ...shopifyStats });
  }
  if (changes.length > 0) await applyChanges(services.db, storeId, changes);
  await opts.stage.add(statistics);
  return changes.length;
}

export async function runShopifyBackfill(services: Pick<Services, "db" | "log" | "config" | "databaseUrl">, storeId: number, opts: BackfillOptions = {}): Promise<BackfillResult> {
  const { db, log } = services;
  const started = Date.now();
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId } });
  const client = opts.client ?? (await adminClientForStore(services, storeId));
  const batchSize = opts.batchSize ?? 10_000;
  const kind = opts.since ? "reconcile" : "backfill";
  const run = await startSyncRun(db, storeId, kind, null, opts.runId);
  const syncStartedAt = new Date();
  const objects = { products: 0, customers: 0, orders: 0 } satisfies Record<BulkQueryName, number>;
  let total = 0;
  let done = 0;
  // A backfill's Shopify statistics (customers phase) are written with the order stats by the
  // orders phase's set-based rebuild: one row version per customer instead of a row the rebuild
  // rewrites at once. Whatever it did not take is written at the end. A run that fails drops
  // them with the stage; the retry loads the customers again.
  let stage: ShopifyStatisticsStage | null = null;
  try {
    if (!opts.since) stage = await openShopifyStatisticsStage(db, storeId);
    for (const phase of BACKFILL_PHASES) {
      const query = opts.since ? bulkQueryWithSearch(phase, `updated_at:>='${opts.since.toISOString()}'`) : BULK_QUERIES[phase];
      const op = await startBulkQuery(client, query);
      const state = await waitForBulkOperation(client, op.id, {
        intervalMs: opts.pollIntervalMs ?? 1000,
        // With the webhook as the usual wake-up, polls can be rarer (cheaper on the rate limit).
        maxIntervalMs: 60_000,
        finished: () => bulkFinishReceived(db, storeId, op.id),
      });
      total += state.rootObjectCount || state.objectCount;
      await db.syncRun.update({ where: { storeId_id: { storeId, id: run.id } }, data: { total, cursor: { phase, operationId: op.id } } });
      if (!state.url) continue; // nothing matched
      const loaded = await loadBulkResult(services, storeId, await downloadBulkResult(state.url), {
        shopCurrency: store.currency,
        chunkSize: batchSize,
        setBasedStatsFrom: opts.since ? undefined : (opts.setBasedStatsFrom ?? BACKFILL_SET_BASED_STATS_FROM),
        statistics: stage ?? undefined,
        expectedObjects: state.rootObjectCount || undefined,
        onCommitted: async (count) => {
          done += count;
          objects[phase] += count;
          await db.syncRun.update({ where: { storeId_id: { storeId, id: run.id } }, data: { done } });
        },
      });
      // A file that ends early (a cut download, a lost batch) must not pass for a complete sync:
      // the job fails and retries. Shopify reports the root count of a completed operation.
      if (state.rootObjectCount > 0 && loaded.records !== state.rootObjectCount) {
        throw new BulkOperationError(`bulk ${phase} result held ${loaded.records} of the ${state.rootObjectCount} objects Shopify reported`, state);
      }
      if (loaded.unknownCustomers.length > 0) {
        // Normally none (see fillInUnknownCustomers).
        // A reconciliation has no stage of its own across phases: the statistics are written now.
        const target = stage ?? (await openShopifyStatisticsStage(db, storeId));
        try {
          const filled = await fillInUnknownCustomers(services, storeId, client, loaded.unknownCustomers, { shopCurrency: store.currency, stage: target });
          if (target !== stage) await target.finish();
          log.info({ storeId, kind, unknown: loaded.unknownCustomers.length, filled }, "customers created after the customers phase fetched");
        } finally {
          if (target !== stage) await target.close();
        }
      }
      log.info({ storeId, kind, phase, objects: objects[phase] }, "sync phase done");
    }
    await stage?.finish();
    // The next reconciliation starts from when this pass started: anything changed while it ran
    // is fetched again (harmless: writes converge) rather than missed.
    await db.store.update({ where: { id: storeId }, data: { lastSyncedAt: syncStartedAt } });
    await finishSyncRun(db, run);
  } catch (e) {
    await finishSyncRun(db, run, e instanceof Error ? e.message : String(e));
    throw e;
  } finally {
    await stage?.close();
  }
  return { objects, seconds: (Date.now() - started) / 1000 };
}
