// WooCommerce "compre junto" JSON: /storefront/recommendations?token=<store's public token>&product_id=…
// The token names the store (it is public, printed in the shop's pages) and grants nothing else.
// Not personalised: a customer id in a public URL cannot be trusted.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json, recommendationsResponse } from "#app/core/cross-sell/storefront-api.server.ts";
import { corsFor, findStoreByToken } from "#app/core/cross-sell/storefront-store.server.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const query = new URL(request.url).searchParams;
  const store = await findStoreByToken(context.services.db, query.get("token"));
  if (!store) return json(401, { error: "unknown or missing storefront token" }, { "Cache-Control": "no-store" });
  return recommendationsResponse(context.services.db, store, query, { headers: corsFor(store, request.headers.get("origin")) });
}
