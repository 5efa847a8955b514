// Clicks and add-to-carts from the "compre junto" block, stored as timeline Events for attribution
// (crosssell.click, crosssell.add_to_cart). Validated and size-limited before anything is written.
import { z } from "zod";
import type { Db } from "#app/db/client.server.ts";
import { BodyTooLargeError, readBodyLimited } from "#app/http/body.server.ts";

export const TRACK_MAX_BYTES = 4096;
const id = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, "must be a product id");

export const trackSchema = z.strictObject({
  event: z.enum(["click", "add_to_cart"]),
  /** The product (or cart products) the block was showing recommendations for. */
  sourceProductIds: z.array(id).min(1).max(50),
  /** What the shopper clicked or added (several for "add all"). */
  productIds: z.array(id).min(1).max(12),
  /** The block's position on the page / settings, free-form but short. */
  placement: z.string().max(40).optional(),
});

export type TrackInput = z.infer<typeof trackSchema>;

export function parseTrack(raw: Buffer | string): { ok: true; value: TrackInput } | { ok: false; reason: string } {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString());
  } catch {
    return { ok: false, reason: "body is not valid JSON" };
  }
  const r = trackSchema.safeParse(body);
  if (!r.success) return { ok: false, reason: r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ") };
  return { ok: true, value: r.data };
}

/** The request's body, size-limited and validated: the value, or the status and reason to answer. */
export async function readTrackBody(request: Request): Promise<{ ok: true; value: TrackInput } | { ok: false; status: 400 | 413; reason: string }> {
  let raw: Buffer;
  try {
    raw = await readBodyLimited(request, TRACK_MAX_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLargeError) return { ok: false, status: 413, reason: e.message };
    throw e;
  }
  const parsed = parseTrack(raw);
  return parsed.ok ? parsed : { ok: false, status: 400, reason: parsed.reason };
}

export async function recordTrack(db: Db, storeId: number, input: TrackInput, customerPlatformId: string | null, now = new Date()): Promise<void> {
  const customer = customerPlatformId
    ? await db.customer.findUnique({ where: { storeId_platformId: { storeId, platformId: customerPlatformId } }, select: { id: true } })
    : null;
  await db.event.create({
    data: {
      storeId,
      customerId: customer?.id ?? null,
      type: `crosssell.${input.event}`,
      occurredAt: now,
      data: { sourceProductIds: input.sourceProductIds, productIds: input.productIds, ...(input.placement ? { placement: input.placement } : {}) },
    },
  });
}

export interface CrossSellAttribution {
  since: Date;
  clicks: number;
  addToCarts: number;
  /** Products added from the block, most first. */
  topAdded: { productId: string; times: number }[];
}

/** The numbers the admin shows (issue: attribution): block clicks and add-to-carts since a date. */
export async function crossSellAttribution(db: Db, storeId: number, since: Date): Promise<CrossSellAttribution> {
  const [counts, top] = await Promise.all([
    db.event.groupBy({ by: ["type"], where: { storeId, type: { in: ["crosssell.click", "crosssell.add_to_cart"] }, occurredAt: { gte: since } }, _count: { _all: true } }),
    db.$queryRaw<{ productId: string; times: number }[]>`
      SELECT p AS "productId", count(*)::int AS times
      FROM "Event" e, jsonb_array_elements_text(e.data -> 'productIds') p
      WHERE e."storeId" = ${storeId} AND e.type = 'crosssell.add_to_cart' AND e."occurredAt" >= ${since}
      GROUP BY p ORDER BY times DESC, p LIMIT 10`,
  ]);
  const count = (type: string) => counts.find((c) => c.type === type)?._count._all ?? 0;
  return { since, clicks: count("crosssell.click"), addToCarts: count("crosssell.add_to_cart"), topAdded: top };
}
