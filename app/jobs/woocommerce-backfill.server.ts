// Import a WooCommerce store's history through REST v3: products, customers, orders of every
// status, then checkout drafts (which `status=any` leaves out on recent WooCommerce). Pages of 100,
// ordered by id so pages stay put while new records are appended, fetched a few at a time (the
// client's concurrency bound; the next window downloads while one is written), normalised and
// written through the same batch writer as webhooks.
//
// Progress lives in a SyncRun: `total` from X-WP-Total, `done` per window of pages, and `cursor`
// = { phase, page } of the first page not yet written. A crash or an error leaves the run with its
// cursor; the next attempt resumes there (the writes converge, so re-reading a window is harmless).
// Rejected keys pause the store's sync with the reason (the admin shows it) instead of retrying.
import type { SyncRun } from "@prisma/client";
import type { Services } from "#app/server/services.server.ts";
import { applyChanges } from "#app/core/ingest/apply-batch.server.ts";
import { finishSyncRun } from "#app/core/sync/sync-runs.server.ts";
import { withAdvisoryLock } from "#app/db/advisory-lock.server.ts";
import type { NormalizedChange } from "#app/core/types.ts";
import { normalizeWooCustomer, normalizeWooOrder, normalizeWooProduct } from "#adapters/woocommerce/normalize.ts";
import { WooAuthError, type WooClient } from "#adapters/woocommerce/rest-client.server.ts";
import { ensureWebhooks } from "#adapters/woocommerce/webhooks.server.ts";
import { loadWooCredentials, setWooSyncState, wooClientForStore, wooDeliveryUrl } from "./woocommerce-connection.server.ts";

export const WOO_PHASES = ["products", "customers", "orders", "drafts"] as const;
export type WooPhase = (typeof WOO_PHASES)[number];

const ENDPOINTS: Record<WooPhase, { endpoint: string; params: Record<string, string> }> = {
  products: { endpoint: "products", params: {} },
  customers: { endpoint: "customers", params: { role: "all" } },
  orders: { endpoint: "orders", params: { status: "any" } },
  drafts: { endpoint: "orders", params: { status: "checkout-draft" } },
};

export interface WooCursor {
  phase: WooPhase;
  /** First page not yet written. */
  page: number;
  /** Items expected per phase (X-WP-Total), as learned. */
  totals: Partial<Record<WooPhase, number>>;
}

export interface WooBackfillOptions {
  client?: WooClient;
  /** Pages fetched at once (default 4; the client bounds requests in flight as well). */
  pagesAtOnce?: number;
  perPage?: number;
  /** Register/repair our webhooks first (default true). */
  webhooks?: boolean;
}

export interface WooBackfillResult {
  status: "done" | "paused";
  objects: Record<WooPhase, number>;
  resumedFrom: WooCursor | null;
  seconds: number;
}

/** Normalise one page of a phase into changes. */
export function changesOf(phase: WooPhase, items: unknown[], currency: string): NormalizedChange[] {
  if (phase === "products") return items.map((p) => ({ kind: "product.upsert", product: normalizeWooProduct(p, { storeCurrency: currency }) }));
  if (phase === "customers") return items.map((c) => ({ kind: "customer.upsert", customer: normalizeWooCustomer(c) }));
  return items.flatMap((o) => normalizeWooOrder(o));
}

async function resumableRun(services: Pick<Services, "db">, storeId: number): Promise<{ run: SyncRun; cursor: WooCursor | null }> {
  const last = await services.db.syncRun.findFirst({ where: { storeId, kind: "backfill" }, orderBy: { id: "desc" } });
  if (last && last.status !== "done" && last.cursor) {
    const run = await services.db.syncRun.update({ where: { storeId_id: { storeId, id: last.id } }, data: { status: "running", error: null, finishedAt: null } });
    return { run, cursor: last.cursor as unknown as WooCursor };
  }
  const run = await services.db.syncRun.create({ data: { storeId, kind: "backfill", status: "running", startedAt: new Date(), cursor: { phase: "products", page: 1, totals: {} } satisfies WooCursor } });
  return { run, cursor: null };
}

export async function registerWooWebhooks(services: Pick<Services, "db" | "secrets" | "config" | "log">, storeId: number, client: WooClient) {
  const creds = await loadWooCredentials(services, storeId);
  // Connecting queues a backfill (which registers) while the connect page or the watcher may be
  // registering too: unserialised, both list "none yet" and each creates a full set.
  const result = await withAdvisoryLock(services.db, "woo-webhooks", storeId, () =>
    ensureWebhooks(client, { deliveryUrl: wooDeliveryUrl(services.config.appUrl, storeId), secret: creds.webhookSecret }),
  );
  if (result.created.length || result.reactivated.length) services.log.info({ storeId, ...result }, "WooCommerce webhooks repaired");
  return result;
}

export async function runWooBackfill(services: Pick<Services, "db" | "secrets" | "config" | "log">, storeId: number, opts: WooBackfillOptions = {}): Promise<WooBackfillResult> {
  const { db, log } = services;
  const started = Date.now();
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId } });
  const { run, cursor: resumedFrom } = await resumableRun(services, storeId);
  const cursor: WooCursor = resumedFrom ? structuredClone(resumedFrom) : { phase: "products", page: 1, totals: {} };
  const perPage = opts.perPage ?? 100;
  const window = opts.pagesAtOnce ?? 4;
  const objects: Record<WooPhase, number> = { products: 0, customers: 0, orders: 0, drafts: 0 };
  let done = run.done;
  const save = (data: { done?: number; total?: number }) =>
    db.syncRun.update({ where: { storeId_id: { storeId, id: run.id } }, data: { ...data, cursor: structuredClone(cursor) as object } });

  try {
    const client = opts.client ?? (await wooClientForStore(services, storeId));
    if (opts.webhooks ?? true) await registerWooWebhooks(services, storeId, client);
    for (const phase of WOO_PHASES.slice(WOO_PHASES.indexOf(cursor.phase))) {
      if (phase !== cursor.phase) {
        Object.assign(cursor, { phase, page: 1 });
        await save({});
      }
      const { endpoint, params } = ENDPOINTS[phase];
      const fetchPage = (page: number) => client.page<unknown>(endpoint, { ...params, per_page: perPage, page, orderby: "id", order: "asc" });
      // The first page of the window tells how many pages there are.
      const head = await fetchPage(cursor.page);
      cursor.totals[phase] = head.total ?? head.items.length;
      await save({ total: Object.values(cursor.totals).reduce((a, b) => a + (b ?? 0), 0) });
      const lastPage = head.totalPages ?? cursor.page;
      let nextPage = cursor.page + 1;
      const take = (n: number) => {
        const out: Promise<{ items: unknown[] }>[] = [];
        while (out.length < n && nextPage <= lastPage) out.push(fetchPage(nextPage++));
        // Awaited later; until then a failure must not count as unhandled.
        for (const p of out) p.catch(() => undefined);
        return out;
      };
      let pending: Promise<{ items: unknown[] }>[] = [Promise.resolve(head), ...take(window - 1)];
      while (pending.length) {
        const pages = await Promise.all(pending);
        // The next window downloads while this one is written.
        pending = take(window);
        const items = pages.flatMap((pg) => pg.items);
        if (items.length) await applyChanges(db, storeId, changesOf(phase, items, store.currency));
        objects[phase] += items.length;
        done += items.length;
        cursor.page += pages.length;
        await save({ done });
      }
      log.info({ storeId, phase, objects: objects[phase] }, "WooCommerce backfill phase done");
    }
    await db.store.update({ where: { id: storeId }, data: { lastSyncedAt: new Date(started) } });
    await finishSyncRun(db, run);
    await setWooSyncState(services, storeId, { state: "connected", since: new Date().toISOString() });
    return { status: "done", objects, resumedFrom, seconds: (Date.now() - started) / 1000 };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    await finishSyncRun(db, run, message);
    if (e instanceof WooAuthError) {
      // Nothing is lost: the cursor stays, webhooks keep arriving, and reconnecting resumes here.
      await setWooSyncState(services, storeId, { state: "paused", reason: message, since: new Date().toISOString() });
      log.warn({ storeId, reason: message }, "WooCommerce sync paused: the store refused our keys");
      return { status: "paused", objects, resumedFrom, seconds: (Date.now() - started) / 1000 };
    }
    throw e;
  }
}
