// Storefront behaviour from the web pixel (extensions/behaviour-pixel): a batch of standard events,
// validated as a whole (one bad event refuses the batch, with the reason, and stores nothing),
// tied to a known customer by platform id or email, written with one INSERT as
// storefront.<name> Events. Feeds conversion rate, browse abandonment and "viewed product X".
import { z } from "zod";
import { poolOf, type Db } from "#app/db/client.server.ts";

export const PIXEL_MAX_BYTES = 64 * 1024;
export const PIXEL_MAX_EVENTS = 50;
export const PIXEL_EVENT_NAMES = ["page_viewed", "product_viewed", "product_added_to_cart", "checkout_started", "checkout_completed"] as const;

const shortId = z.string().min(1).max(128);
const pixelEvent = z.strictObject({
  name: z.enum(PIXEL_EVENT_NAMES),
  id: shortId,
  occurredAt: z.iso.datetime({ offset: true }),
  clientId: shortId.optional(),
  url: z.string().max(2048).optional(),
  customer: z.strictObject({ id: shortId.optional(), email: z.email().max(254).optional() }).optional(),
  productId: shortId.optional(),
  variantId: shortId.optional(),
  quantity: z.number().int().min(0).max(100_000).optional(),
  checkoutToken: shortId.optional(),
  orderId: shortId.optional(),
  value: z.strictObject({ amount: z.number().nonnegative(), currency: z.string().regex(/^[A-Z]{3}$/) }).optional(),
});
export const pixelBatch = z.strictObject({ events: z.array(pixelEvent).min(1).max(PIXEL_MAX_EVENTS) });
export type PixelBatch = z.infer<typeof pixelBatch>;

export function parsePixelBatch(raw: Buffer): { ok: true; value: PixelBatch } | { ok: false; reason: string } {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    return { ok: false, reason: "body is not valid JSON" };
  }
  const r = pixelBatch.safeParse(body);
  if (!r.success) return { ok: false, reason: r.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ") };
  return { ok: true, value: r.data };
}

/** Stores the batch; returns how many events were written (the pixel's event id dedupes replays within a batch). */
export async function storePixelBatch(db: Db, storeId: number, batch: PixelBatch): Promise<number> {
  const ids = [...new Set(batch.events.flatMap((e) => (e.customer?.id ? [e.customer.id] : [])))];
  const emails = [...new Set(batch.events.flatMap((e) => (e.customer?.email ? [e.customer.email.toLowerCase()] : [])))];
  const known = ids.length || emails.length
    ? await db.customer.findMany({
        where: { storeId, OR: [...(ids.length ? [{ platformId: { in: ids } }] : []), ...(emails.length ? [{ email: { in: emails, mode: "insensitive" as const } }] : [])] },
        select: { id: true, platformId: true, email: true },
      })
    : [];
  const byId = new Map(known.map((c) => [c.platformId, c.id]));
  const byEmail = new Map(known.flatMap((c) => (c.email ? [[c.email.toLowerCase(), c.id] as const] : [])));
  const seen = new Set<string>();
  const customerIds: (number | null)[] = [];
  const types: string[] = [];
  const times: string[] = [];
  const payloads: string[] = [];
  for (const e of batch.events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    const { name, occurredAt, customer, ...data } = e;
    customerIds.push((customer?.id && byId.get(customer.id)) || (customer?.email && byEmail.get(customer.email.toLowerCase())) || null);
    types.push(`storefront.${name}`);
    times.push(new Date(occurredAt).toISOString());
    payloads.push(JSON.stringify({ ...data, ...(customer && !customerIds.at(-1) ? { customer } : {}) }));
  }
  // One plain node-postgres INSERT (not Prisma's createMany): this runs per pixel request on the
  // web event loop. Times are stored as UTC wall-clock, like every other timestamp(3) column.
  const r = await poolOf(db).query({
    name: "pixel-events-insert",
    text: `INSERT INTO "Event" ("storeId", "customerId", type, "occurredAt", data)
           SELECT $1, c, t, (o::timestamptz AT TIME ZONE 'UTC'), d::jsonb
           FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) AS u(c, t, o, d)`,
    values: [storeId, customerIds, types, times, payloads],
  });
  return r.rowCount ?? 0;
}
