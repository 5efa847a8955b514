// Shopify OAuth / token exchange callbacks.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getShopify } from "#adapters/shopify/shopify-app.server.ts";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const shopify = getShopify(context.services);
  if (!shopify) throw new Response("Shopify is not configured (SHOPIFY_API_KEY)", { status: 404 });
  await shopify.authenticate.admin(request);
  return null;
};
