// The embedded Shopify app (OAuth/token exchange, session tokens, App Bridge headers), built on
// @shopify/shopify-app-remix with its sessions in our own PostgreSQL through Prisma. It exists
// only when the app has Shopify credentials; standalone mode never touches it.
import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { Services } from "#app/server/services.server.ts";
import { QUEUES } from "#app/jobs/queues.ts";
import { EncryptedSessionStorage, keyringOf } from "#app/auth/session-crypto.server.ts";

export const SHOPIFY_API_VERSION = ApiVersion.October26;

/** Shop details stored on install (exported for the schema test). */
export const SHOP_BASICS_QUERY = `#graphql
  query shopBasics { shop { name currencyCode ianaTimezone billingAddress { countryCodeV2 } } }`;

function build(services: Services) {
  const { config } = services;
  return shopifyApp({
    apiKey: config.SHOPIFY_API_KEY!,
    apiSecretKey: config.SHOPIFY_API_SECRET!,
    apiVersion: SHOPIFY_API_VERSION,
    scopes: config.SCOPES?.split(",").map((s) => s.trim()),
    appUrl: config.appUrl,
    authPathPrefix: "/auth",
    // Tokens are encrypted at rest (app/auth/session-crypto.server.ts).
    sessionStorage: new EncryptedSessionStorage(new PrismaSessionStorage(services.db), keyringOf(services.secrets)),
    distribution: AppDistribution.AppStore,
    logger: { level: config.LOG_LEVEL === "debug" ? LogSeverity.Debug : LogSeverity.Warning },
    future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
    hooks: {
      afterAuth: async ({ session, admin }) => {
        const res = await admin.graphql(SHOP_BASICS_QUERY);
        const { data } = (await res.json()) as {
          data?: { shop: { name: string; currencyCode: string; ianaTimezone: string; billingAddress: { countryCodeV2: string | null } | null } };
        };
        const shop = data?.shop;
        const store = await services.db.store.upsert({
          where: { platform_domain: { platform: "shopify", domain: session.shop } },
          create: {
            platform: "shopify",
            domain: session.shop,
            name: shop?.name ?? session.shop,
            currency: shop?.currencyCode ?? "USD",
            timezone: shop?.ianaTimezone ?? "UTC",
            country: shop?.billingAddress?.countryCodeV2 ?? null,
          },
          update: {
            uninstalledAt: null,
            ...(shop ? { name: shop.name, currency: shop.currencyCode, timezone: shop.ianaTimezone } : {}),
          },
        });
        // First install (or a reinstall after the data was erased): import the history.
        if (!store.lastSyncedAt) {
          await services.boss.send(QUEUES.shopifyBackfill, { storeId: store.id }, { singletonKey: String(store.id) });
        }
        // Storefront behaviour events: the pixel record carries this store's key and our endpoint.
        await services.boss.send(QUEUES.shopifyWebPixel, { storeId: store.id }, { singletonKey: String(store.id) });
      },
    },
  });
}

export type ShopifyApp = ReturnType<typeof build>;

const apps = new WeakMap<Services, ShopifyApp>();

/** The Shopify app for these services, or null in standalone-only installations. */
export function getShopify(services: Services): ShopifyApp | null {
  if (!services.config.shopifyEnabled) return null;
  let app = apps.get(services);
  if (!app) {
    app = build(services);
    apps.set(services, app);
  }
  return app;
}

export function addShopifyDocumentHeaders(services: Services, request: Request, headers: Headers): void {
  getShopify(services)?.addDocumentResponseHeaders(request, headers);
}
