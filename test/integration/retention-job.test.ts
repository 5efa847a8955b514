// Retention: rows of known ages; raw bodies and storefront events older than the store's setting
// go (in batches), newer ones, pending receipts and other event types stay; receipt rows keep
// their dedupe key for 30 days so a late re-delivery is still recognised.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "@prisma/client";
import { runRetention, runRetentionForStore } from "../../app/jobs/retention.server.ts";
import { receiveWebhook } from "../../app/jobs/webhook-intake.server.ts";
import { retentionDaysOf } from "../../app/core/privacy/settings.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

let services: TestServices;
let s7: Store;
let s30: Store;
const NOW = new Date("2026-06-30T12:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

beforeAll(async () => {
  services = await startTestServices();
  s7 = await services.db.store.create({ data: { platform: "shopify", domain: "ret7.myshopify.com", name: "7" } });
  s30 = await services.db.store.create({ data: { platform: "shopify", domain: "ret30.myshopify.com", name: "30", settings: { retentionDays: 30 } } });
  for (const store of [s7, s30]) {
    let n = 0;
    const receipt = (age: number, status: "received" | "processed" | "skipped" | "failed") =>
      services.db.webhookReceipt.create({ data: { storeId: store.id, platform: "shopify", topic: "orders/create", dedupeKey: `k${++n}-${age}-${status}`, body: `{"age":${age}}`, status, receivedAt: daysAgo(age) } });
    for (const age of [1, 6, 8, 20, 31, 45]) await receipt(age, "processed");
    await receipt(10, "received");
    await receipt(10, "failed");
    await receipt(40, "skipped");
    const event = (age: number, type: string) => services.db.event.create({ data: { storeId: store.id, type, occurredAt: daysAgo(age), data: { age } } });
    for (const age of [1, 6, 8, 40]) await event(age, "storefront.page_viewed");
    await event(40, "order.placed");
  }
});
afterAll(async () => services?.cleanup());

describe("retention job", () => {
  it("reads the store's setting, defaulting to 7 days and ignoring invalid values", () => {
    expect(retentionDaysOf({})).toBe(7);
    expect(retentionDaysOf({ retentionDays: 30 })).toBe(30);
    expect(retentionDaysOf({ retentionDays: 0 })).toBe(7);
    expect(retentionDaysOf({ retentionDays: 400 })).toBe(7);
    expect(retentionDaysOf(null)).toBe(7);
  });

  it("blanks old bodies, deletes old storefront events and 30-day-old receipt rows, per store", async () => {
    const result = await runRetention(services, NOW);
    const bodies = async (storeId: number) =>
      (await services.db.webhookReceipt.findMany({ where: { storeId }, orderBy: { receivedAt: "desc" } })).map((r) => [Math.round((NOW.getTime() - r.receivedAt.getTime()) / 86_400_000), r.status, r.body !== null]);
    // 7 days: bodies of 8+ days blanked (not the pending one); rows older than 30 days gone except failed/received.
    expect(await bodies(s7.id)).toEqual([
      [1, "processed", true],
      [6, "processed", true],
      [8, "processed", false],
      [10, "received", true],
      [10, "failed", false],
      [20, "processed", false],
    ]);
    expect(await bodies(s30.id)).toEqual([
      [1, "processed", true],
      [6, "processed", true],
      [8, "processed", true],
      [10, "received", true],
      [10, "failed", true],
      [20, "processed", true],
    ]);
    const events = async (storeId: number) => (await services.db.event.findMany({ where: { storeId }, orderBy: { occurredAt: "desc" } })).map((e) => `${e.type}:${(e.data as { age: number }).age}`);
    expect(await events(s7.id)).toEqual(["storefront.page_viewed:1", "storefront.page_viewed:6", "order.placed:40"]);
    expect(await events(s30.id)).toEqual(["storefront.page_viewed:1", "storefront.page_viewed:6", "storefront.page_viewed:8", "order.placed:40"]);
    expect(result).toMatchObject({ stores: 2, eventsDeleted: 2 + 1 });
    // Running again finds nothing more to do.
    expect(await runRetention(services, NOW)).toMatchObject({ bodiesBlanked: 0, receiptsDeleted: 0, eventsDeleted: 0 });
  });

  it("a blanked receipt still dedupes a re-delivery of the same webhook id", async () => {
    const kept = await services.db.webhookReceipt.findFirstOrThrow({ where: { storeId: s7.id, body: null, status: "processed" } });
    const again = await receiveWebhook(services, { storeId: s7.id, platform: "shopify", topic: "orders/create", dedupeKey: kept.dedupeKey, resourceId: null, triggeredAt: null, body: "{}" });
    expect(again).toMatchObject({ duplicate: true });
    expect(await services.db.webhookReceipt.count({ where: { storeId: s7.id, dedupeKey: kept.dedupeKey } })).toBe(1);
  });

  it("drops data-request exports after 30 days, keeping the request listed", async () => {
    const mk = (age: number) =>
      services.db.privacyRequest.create({ data: { storeId: s7.id, kind: "data_request", source: "shopify", dedupeKey: `r-${age}`, status: "done", export: { customer: { email: "x@example.com" } }, requestedAt: daysAgo(age) } });
    const fresh = await mk(29);
    const old = await mk(31);
    expect(await runRetentionForStore(services, s7.id, NOW)).toMatchObject({ exportsExpired: 1 });
    expect((await services.db.privacyRequest.findUniqueOrThrow({ where: { storeId_id: { storeId: s7.id, id: fresh.id } } })).export).not.toBeNull();
    expect((await services.db.privacyRequest.findUniqueOrThrow({ where: { storeId_id: { storeId: s7.id, id: old.id } } })).export).toBeNull();
  });

  it("works through more rows than one batch", async () => {
    const s = await services.db.store.create({ data: { platform: "shopify", domain: "ret-big.myshopify.com", name: "big", settings: { retentionDays: 1 } } });
    await services.db.$executeRaw`INSERT INTO "Event" ("storeId", type, "occurredAt", data)
      SELECT ${s.id}, 'storefront.product_viewed', ${daysAgo(3)}, '{}'::jsonb FROM generate_series(1, 12000)`;
    expect(await runRetentionForStore(services, s.id, NOW)).toMatchObject({ eventsDeleted: 12000 });
    expect(await services.db.event.count({ where: { storeId: s.id } })).toBe(0);
  });
});
