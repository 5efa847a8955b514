// The app proxy's recommendation GET, shared by the Remix route (app/routes/proxy.$.ts) and the
// fast Express route (app/server/http.server.ts). The fast route exists for the same reason as the
// webhook one: at 500 requests/s, building a Fetch Request and matching Remix routes cost more
// CPU than the answer itself (p99 72 ms through Remix vs the bench target of 15 ms).
import type { RequestHandler } from "express";
import { verifyAppProxyQuery } from "#adapters/shopify/app-proxy-signature.ts";
import { findStoreId } from "#app/core/store-lookup.server.ts";
import { json, recommendationsResponse } from "#app/core/cross-sell/storefront-api.server.ts";
import type { Services } from "#app/server/services.server.ts";

export const PROXY_NO_STORE = { "Cache-Control": "no-store" };

export type ProxyAuth = { ok: true; storeId: number; customer: string | null } | { ok: false; response: Response };

export async function authenticateProxy(services: Services, query: URLSearchParams): Promise<ProxyAuth> {
  // The app secret signs proxy requests; standalone (demo) the demo secret plays that part.
  const check = verifyAppProxyQuery(query, services.secrets.shopifyWebhookSecret);
  if (!check.ok) return { ok: false, response: json(401, { error: check.reason }, PROXY_NO_STORE) };
  const storeId = await findStoreId(services.db, "shopify", check.shop);
  if (storeId === null) return { ok: false, response: json(404, { error: `unknown shop ${check.shop}` }, PROXY_NO_STORE) };
  return { ok: true, storeId, customer: check.loggedInCustomerId };
}

export async function proxyRecommendations(services: Services, query: URLSearchParams): Promise<Response> {
  const auth = await authenticateProxy(services, query);
  if (!auth.ok) return auth.response;
  return recommendationsResponse(services.db, { id: auth.storeId, platform: "shopify" }, query, { customerPlatformId: auth.customer });
}

export function proxyRecommendationsRoute(services: Services): RequestHandler {
  return (req, res, next) => {
    const query = new URLSearchParams(req.url.slice(req.url.indexOf("?") + 1 || req.url.length));
    proxyRecommendations(services, query)
      .then(async (r) => {
        res.status(r.status);
        r.headers.forEach((v, k) => res.setHeader(k, v));
        res.end(await r.text());
      })
      .catch(next);
  };
}
