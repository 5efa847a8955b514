// Shopify app proxy: https://<shop>/apps/caderninho/<path> arrives here as /proxy/<path> with
// Shopify's signed query (adapters/shopify/app-proxy-signature.ts). Nothing is read before the
// signature passes (Shopify's APP_PROXY_UNVERIFIED_SIGNATURE check).
//   GET  /proxy/recommendations?product_id=…&cart=…&limit=…  → the "compre junto" items (JSON)
//   POST /proxy/track   {event, sourceProductIds, productIds}  → a crosssell.* Event
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { verifyAppProxyQuery } from "#adapters/shopify/app-proxy-signature.ts";
import { BodyTooLargeError, readBodyLimited } from "#app/http/body.server.ts";
import { findStoreId } from "#app/core/store-lookup.server.ts";
import { json, recommendationsResponse } from "#app/core/cross-sell/storefront-api.server.ts";
import { parseTrack, recordTrack, TRACK_MAX_BYTES } from "#app/core/cross-sell/track.server.ts";
import type { Services } from "#app/server/services.server.ts";

const NO_STORE = { "Cache-Control": "no-store" };

async function authenticate(services: Services, request: Request) {
  const url = new URL(request.url);
  // The app secret signs proxy requests; standalone (demo) the demo secret plays that part.
  const check = verifyAppProxyQuery(url.searchParams, services.secrets.shopifyWebhookSecret);
  if (!check.ok) return { error: json(401, { error: check.reason }, NO_STORE) } as const;
  const storeId = await findStoreId(services.db, "shopify", check.shop);
  if (storeId === null) return { error: json(404, { error: `unknown shop ${check.shop}` }, NO_STORE) } as const;
  return { url, storeId, customer: check.loggedInCustomerId } as const;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await authenticate(context.services, request);
  if ("error" in auth) return auth.error;
  if (params["*"] !== "recommendations") return json(404, { error: `no proxy path /${params["*"] ?? ""}` }, NO_STORE);
  return recommendationsResponse(context.services.db, { id: auth.storeId, platform: "shopify" }, auth.url.searchParams, { customerPlatformId: auth.customer });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await authenticate(context.services, request);
  if ("error" in auth) return auth.error;
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
