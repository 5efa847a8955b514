// Shopify app proxy: https://<shop>/apps/caderninho/<path> arrives here as /proxy/<path> with
// Shopify's signed query (adapters/shopify/app-proxy-signature.ts). Nothing is read before the
// signature passes (Shopify's APP_PROXY_UNVERIFIED_SIGNATURE check).
//   GET  /proxy/recommendations?product_id=…&cart=…&limit=…  → the "compre junto" items (JSON);
//        Express answers it before Remix (app/http/crosssell-proxy.server.ts), this is the fallback
//   POST /proxy/track   {event, sourceProductIds, productIds}  → a crosssell.* Event
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { BodyTooLargeError, readBodyLimited } from "#app/http/body.server.ts";
import { authenticateProxy, proxyRecommendations, PROXY_NO_STORE as NO_STORE } from "#app/http/crosssell-proxy.server.ts";
import { json } from "#app/core/cross-sell/storefront-api.server.ts";
import { parseTrack, recordTrack, TRACK_MAX_BYTES } from "#app/core/cross-sell/track.server.ts";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const query = new URL(request.url).searchParams;
  if (params["*"] !== "recommendations") {
    const auth = await authenticateProxy(context.services, query);
    return auth.ok ? json(404, { error: `no proxy path /${params["*"] ?? ""}` }, NO_STORE) : auth.response;
  }
  return proxyRecommendations(context.services, query);
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await authenticateProxy(context.services, new URL(request.url).searchParams);
  if (!auth.ok) return auth.response;
  if (params["*"] !== "track" || request.method !== "POST") return json(404, { error: `no proxy path ${request.method} /${params["*"] ?? ""}` }, NO_STORE);
  let raw: Buffer;
  try {
    raw = await readBodyLimited(request, TRACK_MAX_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLargeError) return json(413, { error: e.message }, NO_STORE);
    throw e;
  }
  const parsed = parseTrack(raw);
  if (!parsed.ok) return json(400, { error: parsed.reason }, NO_STORE);
  await recordTrack(context.services.db, auth.storeId, parsed.value, auth.customer);
  return new Response(null, { status: 204, headers: NO_STORE });
}
