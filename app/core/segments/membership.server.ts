// Materialised segment membership. A refresh runs the segment's query and, in ONE statement,
// inserts the customers who joined, deletes those who left and writes one timeline Event per
// change ("segment_entered" / "segment_left", data { segmentId, segmentName }). Flows start from
// these Event rows (the contract with app/core/flows). A re-run with nothing changed writes
// nothing: joiners are the rows the INSERT … ON CONFLICT DO NOTHING actually inserted, leavers the
// rows the DELETE actually deleted, so even two refreshes racing cannot both report a change.
import { Prisma, type Segment } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import type { Logger } from "#app/logger.server.ts";
import { RFM_SEGMENTS } from "#app/core/analytics/segments.ts";
import { latestRescore } from "#app/core/analytics/rescore-store.server.ts";
import type { ClusterModel } from "#app/core/analytics/clusters.ts";
import { clusterNameKeys } from "#app/core/analytics/clusters.ts";
import { createI18n, resolveLocale } from "#app/i18n/index.ts";
import { utcTimestamp } from "#app/core/ingest/customer-stats.server.ts";
import { segmentMembersQuery, type SegmentContext } from "./compile.server.ts";
import { safeParseSegmentFilter, type SegmentFilter } from "./filter.ts";

export const SEGMENT_ENTERED = "segment_entered";
export const SEGMENT_LEFT = "segment_left";

export interface RefreshResult {
  segmentId: number;
  entered: number;
  left: number;
  members: number;
  /** Set when the stored filter is invalid: the segment was left as it was. */
  error?: string;
}

/** Refresh one segment's members (the segment must belong to ctx.storeId). */
export async function refreshSegment(db: Db, ctx: SegmentContext, segment: Pick<Segment, "id" | "name" | "filter">): Promise<RefreshResult> {
  const parsed = safeParseSegmentFilter(segment.filter);
  if (!parsed.ok) return { segmentId: segment.id, entered: 0, left: 0, members: 0, error: parsed.issues.map((i) => `${i.path}: ${i.message}`).join("; ") };
  return applyMembership(db, ctx, segment, parsed.filter);
}

async function applyMembership(db: Db, ctx: SegmentContext, segment: Pick<Segment, "id" | "name">, filter: SegmentFilter): Promise<RefreshResult> {
  const S = ctx.storeId;
  const now = utcTimestamp(ctx.now);
  const data = JSON.stringify({ segmentId: segment.id, segmentName: segment.name });
  const [row] = await db.$queryRaw<{ entered: number; left: number }[]>(Prisma.sql`
    WITH target AS MATERIALIZED (${segmentMembersQuery(filter, ctx)}),
    joined AS (
      INSERT INTO "SegmentMember" ("storeId", "segmentId", "customerId", "joinedAt")
      SELECT ${S}::int, ${segment.id}::int, t."customerId", ${now} FROM target t
      ON CONFLICT DO NOTHING
      RETURNING "customerId"),
    gone AS (
      DELETE FROM "SegmentMember" m
      WHERE m."storeId" = ${S} AND m."segmentId" = ${segment.id}
        AND NOT EXISTS (SELECT 1 FROM target t WHERE t."customerId" = m."customerId")
      RETURNING m."customerId"),
    events AS (
      INSERT INTO "Event" ("storeId", "customerId", type, "occurredAt", data)
      SELECT ${S}::int, j."customerId", ${SEGMENT_ENTERED}::text, ${now}, ${data}::jsonb FROM joined j
      UNION ALL
      SELECT ${S}::int, g."customerId", ${SEGMENT_LEFT}::text, ${now}, ${data}::jsonb FROM gone g
      RETURNING 1)
    SELECT (SELECT count(*) FROM joined)::int AS entered, (SELECT count(*) FROM gone)::int AS left, (SELECT count(*) FROM events)::int AS events`);
  const members = await db.segmentMember.count({ where: { storeId: S, segmentId: segment.id } });
  await db.segment.updateMany({ where: { storeId: S, id: segment.id }, data: { memberCount: members, refreshedAt: ctx.now } });
  return { segmentId: segment.id, entered: row!.entered, left: row!.left, members };
}

/** Refresh every segment of a store, oldest first (a segment that uses another sees its fresh members). */
export async function refreshStoreSegments(db: Db, ctx: SegmentContext, log?: Pick<Logger, "warn">): Promise<RefreshResult[]> {
  const segments = await db.segment.findMany({ where: { storeId: ctx.storeId }, orderBy: { id: "asc" }, select: { id: true, name: true, filter: true } });
  const results: RefreshResult[] = [];
  for (const segment of segments) {
    const r = await refreshSegment(db, ctx, segment);
    if (r.error) log?.warn({ storeId: ctx.storeId, segmentId: segment.id, reason: r.error }, "segment filter is invalid; membership left unchanged");
    results.push(r);
  }
  return results;
}

// ---- Automatic segments ------------------------------------------------------------------------

const RFM_PREFIX = "rfm:";
const CLUSTER_PREFIX = "cluster:";

export function rfmSegmentFilter(key: string): SegmentFilter {
  return { type: "group", op: "and", children: [{ type: "condition", field: "rfmSegment", op: "in", values: [key as (typeof RFM_SEGMENTS)[number]] }] };
}
export function clusterSegmentFilter(cluster: number): SegmentFilter {
  return { type: "group", op: "and", children: [{ type: "condition", field: "cluster", op: "in", values: [cluster] }] };
}

/** The display name of an automatic segment from its nameKey, in a language (cluster keys joined with " · "). */
export function automaticSegmentName(nameKey: string, t: (key: string) => string, cluster?: number): string {
  const label = nameKey.split("|").map((k) => t(k)).join(" · ");
  return cluster === undefined ? label : `#${cluster + 1} ${label}`;
}

interface WantedSegment {
  autoKey: string;
  kind: "rfm" | "cluster";
  nameKey: string;
  name: string;
  filter: SegmentFilter;
}

/**
 * Create, update or remove a store's automatic segments so they follow its latest scoring: one
 * per RFM named segment (once the store has been scored) and one per cluster of the latest model
 * (removed when the model has fewer clusters, or none). Names in the store's language.
 */
export async function syncAutomaticSegments(db: Db, storeId: number): Promise<{ created: number; updated: number; removed: number }> {
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { locale: true } });
  const i18n = createI18n(resolveLocale(store.locale));
  const t = (key: string) => i18n.t(key);
  const latest = await latestRescore(db, storeId);
  const wanted: WantedSegment[] = [];
  if (latest) {
    for (const key of RFM_SEGMENTS) {
      const nameKey = `analytics.segments.${key}`;
      wanted.push({ autoKey: `${RFM_PREFIX}${key}`, kind: "rfm", nameKey, name: automaticSegmentName(nameKey, t), filter: rfmSegmentFilter(key) });
    }
    const model = ((latest.params ?? {}) as { models?: { clusters?: ClusterModel | null } }).models?.clusters ?? null;
    model?.profiles.forEach((profile, i) => {
      const nameKey = clusterNameKeys(profile).join("|");
      wanted.push({ autoKey: `${CLUSTER_PREFIX}${i}`, kind: "cluster", nameKey, name: automaticSegmentName(nameKey, t, i), filter: clusterSegmentFilter(i) });
    });
  }
  const existing = await db.segment.findMany({ where: { storeId, kind: { in: ["rfm", "cluster"] } }, select: { id: true, autoKey: true, name: true, nameKey: true } });
  const byKey = new Map(existing.map((s) => [s.autoKey, s]));
  let created = 0;
  let updated = 0;
  for (const w of wanted) {
    const have = byKey.get(w.autoKey);
    const filter = w.filter as unknown as Prisma.InputJsonValue;
    if (!have) {
      await db.segment.create({ data: { storeId, kind: w.kind, autoKey: w.autoKey, nameKey: w.nameKey, name: w.name, filter } });
      created++;
    } else if (have.name !== w.name || have.nameKey !== w.nameKey) {
      await db.segment.update({ where: { storeId_id: { storeId, id: have.id } }, data: { name: w.name, nameKey: w.nameKey, filter } });
      updated++;
    }
  }
  const keep = new Set(wanted.map((w) => w.autoKey));
  const stale = existing.filter((s) => !keep.has(s.autoKey ?? ""));
  for (const s of stale) await removeSegment(db, storeId, s.id, s.name);
  return { created, updated, removed: stale.length };
}

/**
 * Delete a segment. Its members leave it: one "segment_left" Event each (so a flow waiting on
 * membership sees it end), then the rows go with the segment.
 */
export async function removeSegment(db: Db, storeId: number, segmentId: number, segmentName: string, now = new Date()): Promise<void> {
  const data = JSON.stringify({ segmentId, segmentName });
  await db.$transaction([
    db.$executeRaw(Prisma.sql`
      INSERT INTO "Event" ("storeId", "customerId", type, "occurredAt", data)
      SELECT m."storeId", m."customerId", ${SEGMENT_LEFT}, ${utcTimestamp(now)}, ${data}::jsonb
      FROM "SegmentMember" m WHERE m."storeId" = ${storeId} AND m."segmentId" = ${segmentId}`),
    db.segment.deleteMany({ where: { storeId, id: segmentId } }),
  ]);
}
