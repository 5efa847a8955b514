// Web pixel ingestion, shared by the Remix route (app/routes/pixel.events.ts) and the Express fast
// path (app/server/http.server.ts): POST /pixel/events?key=<store's public key>, body
// {"events": [...]} sent as text/plain by extensions/behaviour-pixel (no CORS preflight).
// Limits: 64 KiB, 50 events, and per client address + store a token bucket (600 requests a
// minute, bursts of 120). The fast path exists for the webhooks' reason: through Remix the
// endpoint accepted 232 events/s against 1,967 for a bare server (bench/pixel.bench.ts).
import type { RequestHandler } from "express";
import { json } from "#app/core/cross-sell/storefront-api.server.ts";
import { findStoreByToken } from "#app/core/cross-sell/storefront-store.server.ts";
import { createRateLimiter } from "#app/core/cross-sell/rate-limit.ts";
import { parsePixelBatch, PIXEL_MAX_BYTES, storePixelBatch } from "#app/core/cross-sell/pixel-ingest.server.ts";
import type { Services } from "#app/server/services.server.ts";
import { BodyTooLargeError, readNodeBodyLimited, sendResponse } from "./body.server.ts";

const limiter = createRateLimiter({ perMinute: 600, burst: 120 });
// The pixel runs in Shopify's sandbox (its own origin): any origin may post, nothing is read back.
export const PIXEL_HEADERS = { "Access-Control-Allow-Origin": "*", "Cache-Control": "no-store" };

/** Everything after the body is read: store key, rate limit, validation, one INSERT. */
export async function acceptPixelEvents(
  services: Pick<Services, "db">,
  input: { key: string | null; clientAddress: string; readBody: () => Promise<Buffer> },
): Promise<Response> {
  const store = await findStoreByToken(services.db, input.key);
  if (!store) return json(401, { error: "unknown or missing store key" }, PIXEL_HEADERS);
  if (!limiter.take(`${input.clientAddress}|${store.id}`)) return json(429, { error: "too many requests; slow down" }, { ...PIXEL_HEADERS, "Retry-After": "10" });
  let raw: Buffer;
  try {
    raw = await input.readBody();
  } catch (e) {
    if (e instanceof BodyTooLargeError) return json(413, { error: e.message }, PIXEL_HEADERS);
    throw e;
  }
  const parsed = parsePixelBatch(raw);
  if (!parsed.ok) return json(400, { error: parsed.reason }, PIXEL_HEADERS);
  const stored = await storePixelBatch(services.db, store.id, parsed.value);
  return json(202, { stored }, PIXEL_HEADERS);
}

export function pixelEventsRoute(services: Services): RequestHandler {
  return (req, res, next) => {
    const key = new URLSearchParams(req.url.slice(req.url.indexOf("?") + 1 || req.url.length)).get("key");
    acceptPixelEvents(services, { key, clientAddress: req.ip ?? req.socket.remoteAddress ?? "?", readBody: () => readNodeBodyLimited(req, PIXEL_MAX_BYTES) })
      .then((r) => {
        // Answered before reading the body (unknown key, rate limit): drain it so the connection stays usable.
        if (!req.readableEnded) req.resume();
        return sendResponse(res, r);
      })
      .catch(next);
  };
}
