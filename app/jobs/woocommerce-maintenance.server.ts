// Scheduled care of connected WooCommerce stores, because WooCommerce webhooks are best-effort
// (no retries, disabled after 5 failures, a 10-minute per-resource debounce, merchants can delete
// them):
// - watchWooWebhooks: every store's webhooks re-enabled, recreated or de-duplicated;
// - reconcileWooStore: everything modified since the last pass (`modified_after`, with an overlap)
//   read again and applied; the newest `date_modified` wins in the writer, so re-reading what a
//   webhook already brought changes nothing. Customers have no `modified_after` in REST v3: the
//   registered customers of the orders that changed are re-read by id.
// Stores whose keys were refused are skipped until they are reconnected.
import type { Services } from "#app/server/services.server.ts";
import { applyChanges } from "#app/core/ingest/apply-batch.server.ts";
import { finishSyncRun } from "#app/core/sync/sync-runs.server.ts";
import { WooAuthError, type WooClient } from "#adapters/woocommerce/rest-client.server.ts";
import { changesOf, registerWooWebhooks, type WooPhase } from "./woocommerce-backfill.server.ts";
import { setWooSyncState, wooClientForStore, wooSyncState } from "./woocommerce-connection.server.ts";

type Deps = Pick<Services, "db" | "secrets" | "config" | "log">;

/** Re-read this much before the last watermark: clocks differ and writes land late. */
const OVERLAP_MS = 5 * 60_000;

async function connectedStores(services: Pick<Services, "db">): Promise<number[]> {
  const stores = await services.db.store.findMany({ where: { platform: "woocommerce", uninstalledAt: null, credentials: { not: null } }, select: { id: true, settings: true } });
  return stores.filter((s) => wooSyncState(s).state === "connected").map((s) => s.id);
}

async function pauseOnAuth<T>(services: Deps, storeId: number, work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (e) {
    if (!(e instanceof WooAuthError)) throw e;
    await setWooSyncState(services, storeId, { state: "paused", reason: e.message, since: new Date().toISOString() });
    services.log.warn({ storeId, reason: e.message }, "WooCommerce sync paused: the store refused our keys");
    return null;
  }
}

export async function watchWooWebhooks(services: Deps, opts: { client?: (storeId: number) => Promise<WooClient> } = {}): Promise<number> {
  let repaired = 0;
  for (const storeId of await connectedStores(services)) {
    const result = await pauseOnAuth(services, storeId, async () => registerWooWebhooks(services, storeId, await (opts.client ?? ((id) => wooClientForStore(services, id)))(storeId)));
    if (result) repaired += result.created.length + result.reactivated.length;
  }
  return repaired;
}

async function allPages(client: WooClient, endpoint: string, params: Record<string, string | number>): Promise<unknown[]> {
  const items: unknown[] = [];
  for (let page = 1; ; page++) {
    const res = await client.page<unknown>(endpoint, { ...params, per_page: 100, page, orderby: "id", order: "asc" });
    items.push(...res.items);
    if (res.items.length < 100 || (res.totalPages !== null && page >= res.totalPages)) return items;
  }
}

export interface ReconcileResult {
  since: Date;
  until: Date;
  changed: Record<Exclude<WooPhase, "drafts"> | "drafts", number>;
}

/** Heal gaps left by lost webhooks: re-read what changed since the last reconciliation (or the backfill). */
export async function reconcileWooStore(services: Deps, storeId: number, opts: { client?: WooClient; now?: Date } = {}): Promise<ReconcileResult | null> {
  const { db } = services;
  const last = await db.syncRun.findFirst({ where: { storeId, kind: "reconcile", status: "done" }, orderBy: { id: "desc" } });
  const backfill = await db.syncRun.findFirst({ where: { storeId, kind: "backfill", status: "done" }, orderBy: { id: "desc" } });
  const watermark = (last?.cursor as { until?: string } | null)?.until ?? backfill?.startedAt?.toISOString();
  if (!watermark) return null; // never imported: the backfill does it all
  const until = opts.now ?? new Date();
  const since = new Date(Date.parse(watermark) - OVERLAP_MS);
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId } });
  const run = await db.syncRun.create({ data: { storeId, kind: "reconcile", status: "running", startedAt: new Date(), cursor: { since: since.toISOString(), until: until.toISOString() } } });
  return pauseOnAuth(services, storeId, async () => {
    try {
      const client = opts.client ?? (await wooClientForStore(services, storeId));
      const after = { modified_after: since.toISOString().slice(0, 19), dates_are_gmt: "true" };
      const products = await allPages(client, "products", after);
      const orders = await allPages(client, "orders", { ...after, status: "any" });
      const drafts = await allPages(client, "orders", { ...after, status: "checkout-draft" });
      const customerIds = [...new Set(orders.map((o) => Number((o as { customer_id?: unknown }).customer_id)).filter((id) => Number.isInteger(id) && id > 0))];
      const customers: unknown[] = [];
      for (let i = 0; i < customerIds.length; i += 100) customers.push(...(await allPages(client, "customers", { include: customerIds.slice(i, i + 100).join(","), role: "all" })));
      const changes = [...changesOf("products", products, store.currency), ...changesOf("customers", customers, store.currency), ...changesOf("orders", [...orders, ...drafts], store.currency)];
      if (changes.length) await applyChanges(db, storeId, changes);
      const changed = { products: products.length, customers: customers.length, orders: orders.length, drafts: drafts.length };
      await db.syncRun.update({ where: { storeId_id: { storeId, id: run.id } }, data: { total: changes.length, done: changes.length } });
      await finishSyncRun(db, run);
      return { since, until, changed };
    } catch (e) {
      await finishSyncRun(db, run, e instanceof Error ? e.message : String(e));
      throw e;
    }
  });
}

export async function reconcileAllWooStores(services: Deps): Promise<number> {
  let n = 0;
  for (const storeId of await connectedStores(services)) {
    try {
      if (await reconcileWooStore(services, storeId)) n++;
    } catch (e) {
      // One store's outage must not starve the others; the next pass starts from the same watermark.
      services.log.error({ err: e, storeId }, "WooCommerce reconciliation failed");
    }
  }
  return n;
}
