// An unsubscribe through our link reaches the Shopify store: the one-click POST records it and
// queues shopify.email-consent, whose job (run by the real worker) sends
// customerEmailMarketingConsentUpdate to the Admin API simulator, dated when they unsubscribed.
// Stores it does not apply to are left alone, a customer who opted in again since is not pushed,
// and Shopify's refusal surfaces as an error (the job retries, then fails visibly).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminGraphql } from "../../adapters/shopify/admin-graphql.server.ts";
import { ShopifyApiError } from "../../adapters/shopify/admin-graphql.server.ts";
import { pushEmailUnsubscribe } from "../../adapters/shopify/email-consent.server.ts";
import { linkKey, signLinkToken } from "../../app/core/email/tokens.ts";
import { recordUnsubscribe } from "../../app/core/email/unsubscribe.server.ts";
import { jobsWithin } from "../../app/jobs/jobs-in-transaction.server.ts";
import { QUEUES } from "../../app/jobs/queues.ts";
import { runEmailConsentPush } from "../../app/jobs/shopify-email-consent.server.ts";
import { startAdminSimulator, type AdminSimulator } from "../support/shopify-admin-simulator.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

const SHOP = "consent-a.myshopify.com";
let sim: AdminSimulator;
let app: TestApp;
let storeId: number;

beforeAll(async () => {
  sim = await startAdminSimulator({ store: { seed: 9, customers: 4, shopDomain: SHOP }, accessToken: "shpat_consent" });
  app = await startTestApp({ SHOPIFY_ADMIN_ORIGIN: sim.origin });
  const { db } = app.services;
  storeId = (await db.store.create({ data: { platform: "shopify", domain: SHOP, name: "Consent A", currency: "BRL" } })).id;
  await db.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: "shpat_consent" } });
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
});

const simCustomer = (i: number) => sim.store.plan.customers.filter((c) => c.email)[i]!;

describe("unsubscribe pushed to Shopify", () => {
  it("a one-click unsubscribe ends with the customer UNSUBSCRIBED on the store, dated as ours", async () => {
    const { db } = app.services;
    const platform = simCustomer(0);
    const c = await db.customer.create({ data: { storeId, platformId: String(platform.id), email: platform.email!, firstName: "Joana", acceptsEmailMarketing: true } });
    const token = signLinkToken(linkKey(app.services.secrets.sessionSecret), { k: "u", s: storeId, c: c.id });
    const res = await fetch(`${app.url}/unsubscribe/${token}`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(res.status).toBe(200);
    const ours = await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId, id: c.id } } });
    expect(ours.acceptsEmailMarketing).toBe(false);
    const gid = `gid://shopify/Customer/${platform.id}`;
    await expect.poll(() => sim.emailConsents.get(gid), { timeout: 30_000, interval: 200 }).toEqual({ marketingState: "UNSUBSCRIBED", consentUpdatedAt: ours.emailUnsubscribedAt!.toISOString() });
    // A second click changes nothing and pushes nothing more.
    const calls = sim.requests.filter((r) => r.operation === "customerEmailMarketingConsentUpdate").length;
    expect((await fetch(`${app.url}/unsubscribe/${token}`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" })).status).toBe(200);
    await app.drain();
    expect(sim.requests.filter((r) => r.operation === "customerEmailMarketingConsentUpdate")).toHaveLength(calls);
  });

  it("records the unsubscribe and queues its push in one transaction: a failed enqueue leaves both undone", async () => {
    const { db, boss } = app.services;
    const c = await db.customer.create({ data: { storeId, platformId: String(simCustomer(3).id), email: simCustomer(3).email!, acceptsEmailMarketing: true } });
    const target = { storeId, customerId: c.id, messageId: null, email: c.email!, storeName: "Consent A", locale: "pt-BR" as const, subscribed: true };
    const jobsFor = () => db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${QUEUES.shopifyEmailConsent} AND data->>'customerId' = ${String(c.id)}`.then((r) => r[0]!.n);
    const events = () => db.event.count({ where: { storeId, customerId: c.id, type: "unsubscribed" } });

    // The job row is written, then the process "crashes" before commit: nothing of the click is left.
    const crashed = recordUnsubscribe(db, target, "page", new Date(), async (tx) => {
      await boss.send(QUEUES.shopifyEmailConsent, { storeId, customerId: c.id }, { db: jobsWithin(tx), startAfter: 3600 });
      throw new Error("crash after enqueue");
    });
    await expect(crashed).rejects.toThrow("crash after enqueue");
    expect(await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId, id: c.id } } })).toMatchObject({ acceptsEmailMarketing: true, emailUnsubscribedAt: null });
    expect([await events(), await jobsFor()]).toEqual([0, 0]);

    // Clicking again works, and then the customer, the event and the job are all there.
    expect(await recordUnsubscribe(db, target, "page", new Date(), (tx) => boss.send(QUEUES.shopifyEmailConsent, { storeId, customerId: c.id }, { db: jobsWithin(tx), startAfter: 3600 }))).toBe(true);
    expect((await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId, id: c.id } } })).acceptsEmailMarketing).toBe(false);
    expect([await events(), await jobsFor()]).toEqual([1, 1]);
  });

  it("pushes nothing for WooCommerce stores, customers who opted in again, or never unsubscribed", async () => {
    const { db } = app.services;
    const client = createAdminGraphql({ shop: SHOP, accessToken: "shpat_consent", apiVersion: sim.apiVersion, endpoint: sim.endpoint });
    const before = sim.requests.length;
    const woo = await db.store.create({ data: { platform: "woocommerce", domain: "loja.example", name: "Woo" } });
    const wooCustomer = await db.customer.create({ data: { storeId: woo.id, platformId: "12", email: "w@example.com", emailUnsubscribedAt: new Date() } });
    expect(await runEmailConsentPush(app.services, { storeId: woo.id, customerId: wooCustomer.id }, { client })).toBe("not-applicable");
    const again = await db.customer.create({ data: { storeId, platformId: String(simCustomer(1).id), email: simCustomer(1).email!, acceptsEmailMarketing: true, emailUnsubscribedAt: new Date("2026-01-01T00:00:00Z") } });
    expect(await runEmailConsentPush(app.services, { storeId, customerId: again.id }, { client })).toBe("resubscribed");
    const never = await db.customer.create({ data: { storeId, platformId: String(simCustomer(2).id), email: simCustomer(2).email! } });
    expect(await runEmailConsentPush(app.services, { storeId, customerId: never.id }, { client })).toBe("not-applicable");
    expect(sim.requests.length).toBe(before);
  });

  it("surfaces Shopify's refusal (unknown customer) as an error, so the job retries and then fails visibly", async () => {
    const client = createAdminGraphql({ shop: SHOP, accessToken: "shpat_consent", apiVersion: sim.apiVersion, endpoint: sim.endpoint });
    const refused = pushEmailUnsubscribe(client, "999999999", new Date());
    await expect(refused).rejects.toBeInstanceOf(ShopifyApiError);
    await expect(refused).rejects.toThrow(/INVALID Customer does not exist/);
  });
});
