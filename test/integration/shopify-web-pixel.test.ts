// The behaviour pixel is activated on a Shopify store through the Admin API simulator: created on
// first install with the store's public key and our endpoint, left alone when nothing changed,
// updated when our address moved, and Shopify's refusals surface as errors (the job retries).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminGraphql, ShopifyApiError, type AdminGraphqlClient } from "../../adapters/shopify/admin-graphql.server.ts";
import { ensureWebPixel, readPixelSettings } from "../../adapters/shopify/web-pixel.server.ts";
import { installWebPixel, pixelEndpoint } from "../../app/jobs/shopify-web-pixel.server.ts";
import { startAdminSimulator, type AdminSimulator } from "../support/shopify-admin-simulator.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

const SHOP = "pixel-test.myshopify.com";
let services: TestServices;
let sim: AdminSimulator;
let client: AdminGraphqlClient;
let storeId: number;
let publicToken: string;

beforeAll(async () => {
  services = await startTestServices();
  sim = await startAdminSimulator({ store: { seed: 5, customers: 3, shopDomain: SHOP }, accessToken: "shpat_pixel" });
  client = createAdminGraphql({ shop: SHOP, accessToken: "shpat_pixel", apiVersion: sim.apiVersion, endpoint: sim.endpoint });
  const store = await services.db.store.create({ data: { platform: "shopify", domain: SHOP, name: "Pixel", settings: { tagPrefix: "vip:" } } });
  storeId = store.id;
  publicToken = store.publicToken;
});
afterAll(async () => {
  await sim?.close();
  await services?.cleanup();
});

describe("web pixel activation", () => {
  it("creates the pixel with the store key and endpoint, then leaves it alone", async () => {
    const first = await installWebPixel(services, storeId, { client });
    expect(first).toMatchObject({ action: "created", id: "gid://shopify/WebPixel/3000001" });
    expect(readPixelSettings(sim.webPixel()!.settings)).toEqual({ storeKey: publicToken, endpoint: pixelEndpoint(services.config.appUrl) });
    const store = await services.db.store.findUniqueOrThrow({ where: { id: storeId } });
    // The merchant's own settings survive; ours are merged beside them.
    expect(store.settings).toMatchObject({ tagPrefix: "vip:", webPixel: { id: first!.id, endpoint: pixelEndpoint(services.config.appUrl) } });

    const again = await installWebPixel(services, storeId, { client });
    expect(again).toEqual({ action: "unchanged", id: first!.id });
  });

  it("updates the pixel when our endpoint moved (new APP_URL)", async () => {
    const moved = await ensureWebPixel(client, { storeKey: publicToken, endpoint: "https://new-host.example/pixel/events" });
    expect(moved).toEqual({ action: "updated", id: "gid://shopify/WebPixel/3000001" });
    expect(readPixelSettings(sim.webPixel()!.settings).endpoint).toBe("https://new-host.example/pixel/events");
  });

  it("surfaces Shopify's refusal (settings that don't match the extension's definition) as an error", async () => {
    const refused = ensureWebPixel(client, { storeKey: "short", endpoint: "https://x.example/pixel/events" });
    await expect(refused).rejects.toBeInstanceOf(ShopifyApiError);
    await expect(refused).rejects.toThrow(/INVALID_SETTINGS/);
  });

  it("skips stores the pixel does not apply to (WooCommerce, demo, uninstalled)", async () => {
    const woo = await services.db.store.create({ data: { platform: "woocommerce", domain: "loja.example", name: "Woo" } });
    const gone = await services.db.store.create({ data: { platform: "shopify", domain: "gone.myshopify.com", name: "Gone", uninstalledAt: new Date() } });
    const before = sim.requests.length;
    expect(await installWebPixel(services, woo.id, { client })).toBeNull();
    expect(await installWebPixel(services, gone.id, { client })).toBeNull();
    expect(sim.requests.length).toBe(before);
  });
});
