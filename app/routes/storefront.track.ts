// Clicks and add-to-carts from the WooCommerce block: POST /storefront/track?token=… (text/plain
// JSON body, so the browser sends it without a CORS preflight). Stored as crosssell.* Events.
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "#app/core/cross-sell/storefront-api.server.ts";
import { corsFor, findStoreByToken } from "#app/core/cross-sell/storefront-store.server.ts";
import { readTrackBody, recordTrack } from "#app/core/cross-sell/track.server.ts";
import { createRateLimiter } from "#app/core/cross-sell/rate-limit.ts";

const limiter = createRateLimiter({ perMinute: 60, burst: 30 });

export const loader = () => json(405, { error: "POST a tracking event" });

export async function action({ request, context }: ActionFunctionArgs) {
  const store = await findStoreByToken(context.services.db, new URL(request.url).searchParams.get("token"));
  if (!store) return json(401, { error: "unknown or missing storefront token" });
  const headers = { ...corsFor(store, request.headers.get("origin")), "Cache-Control": "no-store" };
  if (!limiter.take(`${context.clientAddress ?? "?"}|${store.id}`)) return json(429, { error: "too many events; slow down" }, { ...headers, "Retry-After": "10" });
  const body = await readTrackBody(request);
  if (!body.ok) return json(body.status, { error: body.reason }, headers);
  await recordTrack(context.services.db, store.id, body.value, null);
  return new Response(null, { status: 204, headers });
}
