// An unsubscribe through our link must hold even when the platform still says "subscribed": until
// the unsubscribe reaches the store, every customers/update webhook, backfill or reconciliation
// carries the platform's stale consent. Only a newer opt-in on the platform (a consent date after
// the unsubscribe) subscribes the customer again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";
import { recordUnsubscribe } from "../../app/core/email/unsubscribe.server.ts";
import { openBulkLoad } from "../../app/core/ingest/bulk-load.server.ts";
import type { NormalizedCustomer } from "../../app/core/types.ts";
import { customer } from "../support/analytics-data.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

let services: TestServices;
let storeId: number;

const optedIn = new Date("2026-01-10T12:00:00Z");
const unsubscribedAt = new Date("2026-03-01T09:00:00Z");

function version(updatedAt: string, consent: { accepts: boolean; at: Date | null }, firstName = "Ana"): NormalizedCustomer {
  return { ...customer("ana"), firstName, acceptsEmailMarketing: consent.accepts, consentUpdatedAt: consent.at, platformUpdatedAt: new Date(updatedAt) };
}

const read = () => services.db.customer.findFirstOrThrow({ where: { storeId, platformId: "ana" }, select: { id: true, firstName: true, acceptsEmailMarketing: true, consentUpdatedAt: true, emailUnsubscribedAt: true } });

beforeAll(async () => {
  services = await startTestServices();
  storeId = (await services.db.store.create({ data: { platform: "shopify", domain: "sticky.myshopify.com", name: "Sticky" } })).id;
});
afterAll(async () => {
  await services?.stop();
});

describe("an unsubscribe through our link", () => {
  it("survives platform updates that still carry the older opt-in, and yields to a newer one", async () => {
    const { db } = services;
    await applyChanges(db, storeId, [{ kind: "customer.upsert", customer: version("2026-01-10T12:00:00Z", { accepts: true, at: optedIn }) }]);
    const before = await read();
    expect(before.acceptsEmailMarketing).toBe(true);

    const recorded = await recordUnsubscribe(db, { storeId, customerId: before.id, messageId: null, email: "ana@example.com", storeName: "Sticky", locale: "pt-BR", subscribed: true }, "one-click", unsubscribedAt);
    expect(recorded).toBe(true);
    expect(await read()).toMatchObject({ acceptsEmailMarketing: false, emailUnsubscribedAt: unsubscribedAt, consentUpdatedAt: unsubscribedAt });

    // A later customers/update (she changed her name) with Shopify's stale consent: name taken, consent kept.
    await applyChanges(db, storeId, [{ kind: "customer.upsert", customer: version("2026-03-05T10:00:00Z", { accepts: true, at: optedIn }, "Ana Maria") }]);
    expect(await read()).toMatchObject({ firstName: "Ana Maria", acceptsEmailMarketing: false, consentUpdatedAt: unsubscribedAt });

    // A platform that sends no consent date at all (WooCommerce) cannot undo it either.
    await applyChanges(db, storeId, [{ kind: "customer.upsert", customer: version("2026-03-06T10:00:00Z", { accepts: true, at: null }, "Ana M.") }]);
    expect(await read()).toMatchObject({ firstName: "Ana M.", acceptsEmailMarketing: false });

    // She subscribes again at the store's checkout after unsubscribing: the newer opt-in wins.
    const again = new Date("2026-04-02T15:00:00Z");
    await applyChanges(db, storeId, [{ kind: "customer.upsert", customer: version("2026-04-02T15:00:01Z", { accepts: true, at: again }) }]);
    expect(await read()).toMatchObject({ acceptsEmailMarketing: true, consentUpdatedAt: again });
  });

  it("changes nothing for customers who never unsubscribed through us", async () => {
    const { db } = services;
    await applyChanges(db, storeId, [{ kind: "customer.upsert", customer: { ...customer("bia"), acceptsEmailMarketing: false, platformUpdatedAt: new Date("2026-01-01T00:00:00Z") } }]);
    await applyChanges(db, storeId, [{ kind: "customer.upsert", customer: { ...customer("bia"), acceptsEmailMarketing: true, consentUpdatedAt: null, platformUpdatedAt: new Date("2026-01-02T00:00:00Z") } }]);
    expect(await db.customer.findFirstOrThrow({ where: { storeId, platformId: "bia" } })).toMatchObject({ acceptsEmailMarketing: true, emailUnsubscribedAt: null });
  });

  it("also through the bulk loader (backfill), which runs with the ordinary triggers off", async () => {
    const { db } = services;
    await applyChanges(db, storeId, [{ kind: "customer.upsert", customer: { ...customer("cai"), acceptsEmailMarketing: true, consentUpdatedAt: optedIn, platformUpdatedAt: new Date("2026-01-10T12:00:00Z") } }]);
    const cai = await db.customer.findFirstOrThrow({ where: { storeId, platformId: "cai" } });
    await recordUnsubscribe(db, { storeId, customerId: cai.id, messageId: null, email: "cai@example.com", storeName: "Sticky", locale: "pt-BR", subscribed: true }, "page", unsubscribedAt);
    const loader = await openBulkLoad(services, storeId, { chunkSize: 10 });
    try {
      loader.add({ kind: "customer.upsert", customer: { ...customer("cai"), firstName: "Caio", acceptsEmailMarketing: true, consentUpdatedAt: optedIn, platformUpdatedAt: new Date("2026-03-10T00:00:00Z") } });
      await loader.finish();
    } finally {
      await loader.close();
    }
    expect(await db.customer.findFirstOrThrow({ where: { storeId, platformId: "cai" } })).toMatchObject({ firstName: "Caio", acceptsEmailMarketing: false, consentUpdatedAt: unsubscribedAt });
  });
});
