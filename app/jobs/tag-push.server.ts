// Push segment tags of one store to its platform: every customer whose prefixed tags differ from
// the segments they belong to (segments with pushTags on) gets exactly the difference. Progress
// and the report (pushed / unchanged / failed with reasons) live in a SyncRun the UI polls.
// Safe to re-run after a crash: a second pass finds only what is still different.
import { Prisma, type Store } from "@prisma/client";
import type { Services } from "#app/server/services.server.ts";
import { finishSyncRun, startSyncRun } from "#app/core/sync/sync-runs.server.ts";
import {
  DEFAULT_TAG_PREFIX,
  diffManagedTags,
  segmentTagName,
  validateTagPrefix,
  type TagChange,
  type TagChangeResult,
  type TagPushReport,
} from "#app/core/tags/segment-tags.ts";
import { pushShopifyTagChanges, type ShopifyTagPushOptions } from "#adapters/shopify/tag-push.server.ts";
import type { AdminGraphqlClient } from "#adapters/shopify/admin-graphql.server.ts";
import { adminClientForStore } from "./shopify-backfill.server.ts";
import { pushSegmentsToWooStore } from "./woocommerce-push.server.ts";
import type { WooClient } from "#adapters/woocommerce/rest-client.server.ts";

export type TagPusher = (changes: TagChange[]) => Promise<{ mode: TagPushReport["mode"]; results: TagChangeResult[] }>;

export interface TagPushOptions {
  /** Shopify client (tests, the simulator); default: the store's offline session. */
  client?: AdminGraphqlClient;
  /** WooCommerce client (tests); default: the store's stored keys. */
  wooClient?: WooClient;
  shopify?: ShopifyTagPushOptions;
  /** Customers read per page (default 1000). */
  pageSize?: number;
  /** Changes sent to the platform at once: one bulk operation pair per chunk (default 5000). */
  chunkSize?: number;
  /** A run queued by the UI for this job to take over. */
  runId?: number;
}

const MAX_REPORTED_FAILURES = 100;

export function tagPrefixOf(store: Pick<Store, "settings">): string {
  const settings = (store.settings ?? {}) as { tagPrefix?: unknown };
  return typeof settings.tagPrefix === "string" ? validateTagPrefix(settings.tagPrefix) : DEFAULT_TAG_PREFIX;
}

async function pusherFor(services: Pick<Services, "db" | "log" | "config" | "secrets">, store: Store, options: TagPushOptions): Promise<TagPusher> {
  if (store.platform === "shopify") {
    const client = options.client ?? (await adminClientForStore(services, store.id));
    return (changes) => pushShopifyTagChanges(client, changes, options.shopify);
  }
  // WooCommerce keeps the whole list in one meta key: send it, and map its report back.
  return async (changes) => {
    const result = await pushSegmentsToWooStore(services, store.id, new Map(changes.map((c) => [c.customerId, c.desired])), { client: options.wooClient });
    const byPlatformId = new Map(changes.map((c) => [c.platformId, c.customerId]));
    const failed = new Map<number, string>();
    for (const id of result.missing) failed.set(byPlatformId.get(String(id))!, "the customer no longer exists in the store");
    for (const f of result.failed) failed.set(byPlatformId.get(String(f.customerId))!, f.error);
    return {
      mode: "direct",
      results: changes.map((c): TagChangeResult => (failed.has(c.customerId) ? { customerId: c.customerId, ok: false, reason: failed.get(c.customerId)! } : { customerId: c.customerId, ok: true })),
    };
  };
}

interface CandidateRow {
  id: number;
  platformId: string;
  tags: string[];
  segmentIds: number[];
}

export async function runTagPush(services: Pick<Services, "db" | "log" | "config" | "secrets">, storeId: number, options: TagPushOptions = {}): Promise<TagPushReport> {
  const { db, log } = services;
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId } });
  const prefix = tagPrefixOf(store);
  const segments = await db.segment.findMany({ where: { storeId, pushTags: true }, select: { id: true, name: true, tag: true } });
  const tagOfSegment = new Map(segments.map((s) => [s.id, segmentTagName(prefix, s)]));
  const segmentIds = [...tagOfSegment.keys()];
  const pageSize = options.pageSize ?? 1000;
  const chunkSize = options.chunkSize ?? 5000;

  // Candidates: members of a pushed segment, and anyone still carrying one of our tags.
  const candidatesWhere = Prisma.sql`c."storeId" = ${storeId} AND c."erasedAt" IS NULL AND (
    EXISTS (SELECT 1 FROM "SegmentMember" m WHERE m."storeId" = c."storeId" AND m."customerId" = c.id AND m."segmentId" = ANY(${segmentIds}::int[]))
    OR EXISTS (SELECT 1 FROM unnest(c.tags) t WHERE starts_with(lower(t), lower(${prefix})))
  )`;
  const [counted] = await db.$queryRaw<{ total: number }[]>(Prisma.sql`SELECT count(*)::int AS total FROM "Customer" c WHERE ${candidatesWhere}`);
  const run = await startSyncRun(db, storeId, "tag_push", counted!.total, options.runId);
  const report: TagPushReport = { pushed: 0, unchanged: 0, failed: 0, failures: [], mode: "none" };
  const save = () =>
    db.syncRun.update({
      where: { storeId_id: { storeId, id: run.id } },
      data: { done: report.pushed + report.unchanged + report.failed, failed: report.failed, cursor: report as unknown as Prisma.InputJsonValue },
    });

  try {
    const push = await pusherFor(services, store, options);
    let pending: TagChange[] = [];
    const flush = async () => {
      if (!pending.length) return;
      const { mode, results } = await push(pending);
      if (mode !== "none") report.mode = report.mode === "bulk" ? "bulk" : mode;
      const byId = new Map(pending.map((change) => [change.customerId, change]));
      const applied: { id: number; add: string[]; remove: string[] }[] = [];
      for (const result of results) {
        const change = byId.get(result.customerId)!;
        if (result.ok) {
          report.pushed++;
          applied.push({ id: change.customerId, add: change.add, remove: change.remove });
        } else {
          report.failed++;
          if (report.failures.length < MAX_REPORTED_FAILURES) report.failures.push({ customerId: change.customerId, platformId: change.platformId, reason: result.reason });
        }
      }
      await applyLocally(services.db, storeId, applied);
      pending = [];
      await save();
    };

    let cursor = 0;
    for (;;) {
      const rows = await db.$queryRaw<CandidateRow[]>(Prisma.sql`
        SELECT c.id, c."platformId", c.tags,
               ARRAY(SELECT m."segmentId" FROM "SegmentMember" m
                     WHERE m."storeId" = c."storeId" AND m."customerId" = c.id AND m."segmentId" = ANY(${segmentIds}::int[])) AS "segmentIds"
        FROM "Customer" c
        WHERE ${candidatesWhere} AND c.id > ${cursor}
        ORDER BY c.id LIMIT ${pageSize}`);
      if (!rows.length) break;
      cursor = rows[rows.length - 1]!.id;
      for (const row of rows) {
        const desired = row.segmentIds.map((id) => tagOfSegment.get(id)!);
        const diff = diffManagedTags(row.tags, desired, prefix);
        if (!diff.add.length && !diff.remove.length) report.unchanged++;
        else if (row.platformId.startsWith("guest:")) {
          // WooCommerce guests have no customer record on the store to carry a tag.
          report.failed++;
          if (report.failures.length < MAX_REPORTED_FAILURES) report.failures.push({ customerId: row.id, platformId: row.platformId, reason: "guest customer: no account on the store" });
        } else pending.push({ customerId: row.id, platformId: row.platformId, ...diff, desired });
        if (pending.length >= chunkSize) await flush();
      }
      await save();
    }
    await flush();
    await finishSyncRun(db, run);
    log.info({ storeId, ...report, failures: report.failures.length }, "tag push finished");
    return report;
  } catch (error) {
    await save().catch(() => undefined);
    await finishSyncRun(db, run, error instanceof Error ? error.message : String(error));
    throw error;
  }
}

/**
 * Mirror a successful push in our copy of the customer's tags, as one statement that edits the
 * tags as they are now (a webhook may have changed the merchant's own tags meanwhile).
 */
async function applyLocally(db: Services["db"], storeId: number, applied: { id: number; add: string[]; remove: string[] }[]): Promise<void> {
  if (!applied.length) return;
  await db.$executeRaw(Prisma.sql`
    UPDATE "Customer" c SET
      tags = ARRAY(SELECT t FROM unnest(c.tags) WITH ORDINALITY AS x(t, n)
                   WHERE lower(t) <> ALL (SELECT lower(r) FROM unnest(v.remove) r) ORDER BY n)
          || ARRAY(SELECT a FROM unnest(v.add) a WHERE lower(a) <> ALL (SELECT lower(t) FROM unnest(c.tags) t)),
      "updatedAt" = now()
    FROM jsonb_to_recordset(${JSON.stringify(applied)}::jsonb) AS v(id int, add text[], remove text[])
    WHERE c."storeId" = ${storeId} AND c.id = v.id`);
}
