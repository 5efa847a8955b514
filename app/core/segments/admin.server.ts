// What the segment pages share on the server: the save input (zod, with paths), the data the
// builder needs, saving + materialising, members pages, and tenant-safe lookups (404 otherwise).
import { Prisma, type Segment, type Store } from "@prisma/client";
import { z } from "zod";
import type { Db } from "#app/db/client.server.ts";
import { segmentContext } from "./compile.server.ts";
import { conditionsOf, formatPath, segmentFilterSchema, type SegmentFilter } from "./filter.ts";
import { refreshSegment, type RefreshResult } from "./membership.server.ts";

export const segmentInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  filter: segmentFilterSchema,
  pushTags: z.boolean().default(false),
  tag: z.string().trim().max(100).nullish(),
});
export type SegmentInput = z.infer<typeof segmentInput>;

export type ParsedInput = { ok: true; input: SegmentInput } | { ok: false; issues: { path: string; message: string }[] };

export function parseSegmentInput(body: unknown): ParsedInput {
  const r = segmentInput.safeParse(body);
  if (r.success) return { ok: true, input: r.data };
  return { ok: false, issues: r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
}

/** The page-level message for rejected input: the rule's, or none when only the name is wrong. */
export function inputError(issues: { path: string }[]): "invalidFilter" | null {
  return issues.some((i) => i.path !== "name") ? "invalidFilter" : null;
}

/** Reads a JSON request body; a body that is not JSON is reported like any other bad input. */
export async function readJson(request: Request): Promise<{ ok: true; body: unknown } | { ok: false; issues: { path: string; message: string }[] }> {
  try {
    return { ok: true, body: await request.json() };
  } catch {
    return { ok: false, issues: [{ path: "", message: "the request body must be JSON" }] };
  }
}

export function notFound(): Response {
  return new Response("Not found", { status: 404 });
}

/** The store's segment by the id in the URL, or a 404 (another store's id, or junk). */
export async function segmentOr404(db: Db, storeId: number, rawId: string | undefined): Promise<Segment> {
  const id = Number(rawId);
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  const segment = await db.segment.findUnique({ where: { storeId_id: { storeId, id } } });
  if (!segment) throw notFound();
  return segment;
}

export interface BuilderData {
  segments: { id: number; name: string }[];
  productTitles: Record<string, string>;
  clusters: number;
  currency: string;
}

/** What the builder needs: other segments (for "is in segment"), titles of products in the filter, the cluster count. */
export async function builderData(db: Db, store: Pick<Store, "id" | "currency">, filter: SegmentFilter | null, excludeId?: number): Promise<BuilderData> {
  const segments = await db.segment.findMany({ where: { storeId: store.id, ...(excludeId ? { id: { not: excludeId } } : {}) }, select: { id: true, name: true }, orderBy: [{ kind: "asc" }, { name: "asc" }] });
  const ids = filter ? conditionsOf(filter).flatMap((c) => (c.field === "boughtProduct" || c.field === "viewedProduct" ? c.productIds : [])) : [];
  const products = ids.length ? await db.product.findMany({ where: { storeId: store.id, platformId: { in: ids } }, select: { platformId: true, title: true } }) : [];
  const clusters = await db.customerStats.aggregate({ where: { storeId: store.id }, _max: { cluster: true } });
  return {
    segments,
    productTitles: Object.fromEntries(products.map((p) => [p.platformId, p.title])),
    clusters: Math.max(6, (clusters._max.cluster ?? -1) + 1),
    currency: store.currency,
  };
}

/** Product search for the picker (title or id, active or not, never deleted). */
export async function searchProducts(db: Db, storeId: number, query: string): Promise<{ platformId: string; title: string }[]> {
  const q = query.trim().slice(0, 100);
  const like = `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return db.$queryRaw<{ platformId: string; title: string }[]>(Prisma.sql`
    SELECT "platformId", title FROM "Product"
    WHERE "storeId" = ${storeId} AND "deletedAt" IS NULL AND (${q} = '' OR title ILIKE ${like} OR "platformId" = ${q})
    ORDER BY title LIMIT 20`);
}

/** Create or update a custom segment and materialise its members now. */
export async function saveSegment(db: Db, storeId: number, input: SegmentInput, existing?: Segment): Promise<{ segment: Segment; refresh: RefreshResult }> {
  const data = { name: input.name, filter: input.filter as unknown as Prisma.InputJsonValue, pushTags: input.pushTags, tag: input.tag ?? null };
  const segment = existing
    ? await db.segment.update({ where: { storeId_id: { storeId, id: existing.id } }, data })
    : await db.segment.create({ data: { storeId, kind: "custom", ...data } });
  const refresh = await refreshSegment(db, await segmentContext(db, storeId), segment);
  return { segment, refresh };
}

export const MEMBERS_PAGE_SIZE = 50;

export interface MemberRow {
  id: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  ordersCount: number;
  revenueMinor: string;
  joinedAt: string;
}

/**
 * One page of members by customer id (keyset: stable while members change): after `after`, or the
 * page before `before` when that is given. `prev`/`next` are the cursors of the neighbouring pages.
 */
export async function membersPage(db: Db, storeId: number, segmentId: number, cursor: { after?: number; before?: number }): Promise<{ rows: MemberRow[]; prev: number | null; next: number | null }> {
  const backwards = cursor.before !== undefined && cursor.before > 0;
  const bound = backwards ? Prisma.sql`c.id < ${cursor.before}` : Prisma.sql`c.id > ${cursor.after ?? 0}`;
  const rows = await db.$queryRaw<(Omit<MemberRow, "revenueMinor" | "joinedAt"> & { revenueMinor: bigint; joinedAt: Date })[]>(Prisma.sql`
    SELECT c.id, c."firstName", c."lastName", c.email, coalesce(s."ordersCount", 0)::int AS "ordersCount",
           coalesce(s."revenueMinor", 0)::bigint AS "revenueMinor", m."joinedAt"
    FROM "SegmentMember" m
    JOIN "Customer" c ON c."storeId" = m."storeId" AND c.id = m."customerId"
    LEFT JOIN "CustomerStats" s ON s."storeId" = c."storeId" AND s."customerId" = c.id
    WHERE m."storeId" = ${storeId} AND m."segmentId" = ${segmentId} AND c."erasedAt" IS NULL AND ${bound}
    ORDER BY c.id ${backwards ? Prisma.sql`DESC` : Prisma.sql`ASC`} LIMIT ${MEMBERS_PAGE_SIZE + 1}`);
  const more = rows.length > MEMBERS_PAGE_SIZE;
  const page = rows.slice(0, MEMBERS_PAGE_SIZE).map((r) => ({ ...r, revenueMinor: r.revenueMinor.toString(), joinedAt: r.joinedAt.toISOString() }));
  if (backwards) page.reverse();
  const first = page[0]?.id ?? null;
  const last = page[page.length - 1]?.id ?? null;
  return backwards
    ? { rows: page, prev: more ? first : null, next: last ?? cursor.before ?? null }
    : { rows: page, prev: (cursor.after ?? 0) > 0 && first !== null ? first : null, next: more ? last : null };
}
