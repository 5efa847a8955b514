// Shopify app proxy: https://<shop>/apps/caderninho/<path> arrives here as /proxy/<path> with
// Shopify's signed query (adapters/shopify/app-proxy-signature.ts). Nothing is read before the
// signature passes (Shopify's APP_PROXY_UNVERIFIED_SIGNATURE check).
//   GET  /proxy/recommendations?product_id=…&cart=…&limit=…  → the "compre junto" items (JSON);
//        Express answers it before Remix (app/http/crosssell-proxy.server.ts), this is the fallback
//   POST /proxy/track   {event, sourceProductIds, productIds}  → a crosssell.* Event
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticateProxy, proxyRecommendations, PROXY_NO_STORE as NO_STORE } from "#app/http/crosssell-proxy.server.ts";
import { json } from "#app/core/cross-sell/storefront-api.server.ts";
import { readTrackBody, recordTrack } from "#app/core/cross-sell/track.server.ts";

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
  const body = await readTrackBody(request);
  if (!body.ok) return json(body.status, { error: body.reason }, NO_STORE);
  await recordTrack(context.services.db, auth.storeId, body.value, auth.customer);
  return new Response(null, { status: 204, headers: NO_STORE });
}
