// Who is looking at the admin, and which store's data they may see. Every admin loader and action
// starts here; everything it reads afterwards is scoped by the returned store's id.
//
// Embedded (Shopify admin): the request carries Shopify's session token or embedded-app query
// parameters and is authenticated by @shopify/shopify-app-remix. Standalone: our own cookie login.
import { redirect } from "@remix-run/node";
import type { Store } from "@prisma/client";
import type { Services } from "#app/server/services.server.ts";
import { getShopify } from "#adapters/shopify/shopify-app.server.ts";
import { requireStandaloneLogin } from "./standalone.server.ts";

export type AdminMode = "embedded" | "standalone";

export interface AdminContext {
  services: Services;
  store: Store;
  mode: AdminMode;
}

export function isEmbeddedRequest(services: Services, request: Request): boolean {
  if (!services.config.shopifyEnabled) return false;
  const url = new URL(request.url);
  if (request.headers.get("authorization")?.startsWith("Bearer ")) return true;
  return ["shop", "host", "embedded", "id_token"].some((p) => url.searchParams.has(p));
}

export async function requireAdmin(request: Request, context: { services: Services }): Promise<AdminContext> {
  const { services } = context;
  if (isEmbeddedRequest(services, request)) {
    const shopify = getShopify(services)!;
    const { session } = await shopify.authenticate.admin(request);
    const store = await services.db.store.findUnique({ where: { platform_domain: { platform: "shopify", domain: session.shop } } });
    // afterAuth creates the store; a missing row means the install did not finish: redo it.
    if (!store) throw redirect(`/auth/login?shop=${encodeURIComponent(session.shop)}`);
    return { services, store, mode: "embedded" };
  }
  const session = await requireStandaloneLogin(services, request);
  const wanted = session.get("storeId");
  const store =
    (wanted ? await services.db.store.findUnique({ where: { id: wanted } }) : null) ??
    (await services.db.store.findFirst({ where: { uninstalledAt: null }, orderBy: [{ isDemo: "asc" }, { id: "asc" }] }));
  if (!store) throw redirect("/welcome");
  return { services, store, mode: "standalone" };
}
