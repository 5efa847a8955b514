// Web pixel ingestion: POST /pixel/events?key=<store's public key>, body {"events": [...]} sent as
// text/plain by extensions/behaviour-pixel (no CORS preflight). Limits: 64 KiB, 50 events, and
// per client address + store a token bucket (600 requests a minute, bursts of 120).
import type { ActionFunctionArgs } from "@remix-run/node";
import { BodyTooLargeError, readBodyLimited } from "#app/http/body.server.ts";
import { json } from "#app/core/cross-sell/storefront-api.server.ts";
import { findStoreByToken } from "#app/core/cross-sell/storefront-store.server.ts";
import { createRateLimiter } from "#app/core/cross-sell/rate-limit.ts";
import { parsePixelBatch, PIXEL_MAX_BYTES, storePixelBatch } from "#app/core/cross-sell/pixel-ingest.server.ts";

const limiter = createRateLimiter({ perMinute: 600, burst: 120 });
// The pixel runs in Shopify's sandbox (its own origin): any origin may post, nothing is read back.
const HEADERS = { "Access-Control-Allow-Origin": "*", "Cache-Control": "no-store" };

export const loader = () => json(405, { error: "POST pixel events" }, HEADERS);

export async function action({ request, context }: ActionFunctionArgs) {
  const store = await findStoreByToken(context.services.db, new URL(request.url).searchParams.get("key"));
  if (!store) return json(401, { error: "unknown or missing store key" }, HEADERS);
  if (!limiter.take(`${context.clientAddress ?? "?"}|${store.id}`)) return json(429, { error: "too many requests; slow down" }, { ...HEADERS, "Retry-After": "10" });
  let raw: Buffer;
  try {
    raw = await readBodyLimited(request, PIXEL_MAX_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLargeError) return json(413, { error: e.message }, HEADERS);
    throw e;
  }
  const parsed = parsePixelBatch(raw);
  if (!parsed.ok) return json(400, { error: parsed.reason }, HEADERS);
  const stored = await storePixelBatch(context.services.db, store.id, parsed.value);
  return json(202, { stored }, HEADERS);
}
