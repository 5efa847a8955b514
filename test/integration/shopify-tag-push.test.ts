// Segment tags pushed to Shopify through the Admin API simulator: direct tagsAdd/tagsRemove for
// small pushes, a bulk mutation with a staged JSONL upload for large ones; only the difference
// is sent, merchant tags are never touched, failures are reported with Shopify's reason.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminGraphql, type AdminGraphqlClient } from "../../adapters/shopify/admin-graphql.server.ts";
import { runShopifyBackfill } from "../../app/jobs/shopify-backfill.server.ts";
import { runTagPush } from "../../app/jobs/tag-push.server.ts";
import { startAdminSimulator, type AdminSimulator } from "../support/shopify-admin-simulator.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

const SHOP = "tag-push-test.myshopify.com";
let services: TestServices;
let sim: AdminSimulator;
let client: AdminGraphqlClient;
let storeId: number;
let customers: { id: number; platformId: string }[];

const gid = (platformId: string) => `gid://shopify/Customer/${platformId}`;

beforeAll(async () => {
  services = await startTestServices();
  sim = await startAdminSimulator({ store: { seed: 44, customers: 40, shopDomain: SHOP }, accessToken: "shpat_tags", bulkPollsUntilComplete: 1 });
  client = createAdminGraphql({ shop: SHOP, accessToken: "shpat_tags", apiVersion: sim.apiVersion, endpoint: sim.endpoint });
  const store = await services.db.store.create({ data: { platform: "shopify", domain: SHOP, name: "Tags", settings: { tagPrefix: "crm:" } } });
  storeId = store.id;
  await runShopifyBackfill(services, storeId, { client, pollIntervalMs: 5 });
  customers = await services.db.customer.findMany({ where: { storeId }, orderBy: { id: "asc" }, select: { id: true, platformId: true } });
});
afterAll(async () => {
  await sim?.close();
  await services?.cleanup();
});

async function segment(name: string, tag: string | null, pushTags: boolean, members: number[]) {
  const { db } = services;
  const created = await db.segment.create({ data: { storeId, name, tag, pushTags, filter: {} } });
  await db.segmentMember.createMany({ data: members.map((customerId) => ({ storeId, segmentId: created.id, customerId })) });
  return created;
}

describe("Shopify tag push-back", () => {
  it("pushes only the difference, keeps merchant tags, and a second run changes nothing", async () => {
    const { db } = services;
    const ids = customers.map((c) => c.id);
    const vip = await segment("VIP", "VIP", true, ids.slice(0, 10));
    await segment("Campeões, SP", null, true, ids.slice(5, 15));
    await segment("Internal", "Hidden", false, ids.slice(0, 3));
    // A customer with one of our stale tags and one of the merchant's.
    const stale = customers[30]!;
    await db.customer.update({ where: { storeId_id: { storeId, id: stale.id } }, data: { tags: ["crm:Old", "Atacado"] } });

    const report = await runTagPush(services, storeId, { client });
    expect(report).toMatchObject({ pushed: 16, unchanged: 0, failed: 0, mode: "direct" });
    expect(sim.tagsOf(gid(customers[0]!.platformId))).toEqual(["crm:VIP"]);
    expect(sim.tagsOf(gid(customers[7]!.platformId))).toEqual(["crm:Campeões SP", "crm:VIP"]);
    expect(sim.tagsOf(gid(customers[20]!.platformId))).toEqual([]);
    expect(sim.tagCalls.every((call) => call.tags.every((tag) => tag.startsWith("crm:")))).toBe(true);
    expect(sim.tagCalls.filter((call) => call.mutation === "tagsRemove")).toEqual([{ mutation: "tagsRemove", id: gid(stale.platformId), tags: ["crm:Old"], ok: true }]);
    const staleNow = await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId, id: stale.id } } });
    expect(staleNow.tags).toEqual(["Atacado"]);
    const seventh = await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId, id: customers[7]!.id } } });
    expect([...seventh.tags].sort()).toEqual(["crm:Campeões SP", "crm:VIP"]);
    const run = await db.syncRun.findFirstOrThrow({ where: { storeId, kind: "tag_push" }, orderBy: { id: "desc" } });
    expect(run).toMatchObject({ status: "done", total: 16, done: 16, failed: 0 });

    const calls = sim.tagCalls.length;
    const again = await runTagPush(services, storeId, { client });
    expect(again).toMatchObject({ pushed: 0, unchanged: 15, failed: 0, mode: "none" });
    expect(sim.tagCalls.length).toBe(calls);

    // Membership changes, pushed through bulk mutations: one leaves VIP, a customer Shopify does
    // not know joins it (reported with Shopify's reason, the others still pushed).
    await db.segmentMember.delete({ where: { storeId_segmentId_customerId: { storeId, segmentId: vip.id, customerId: customers[0]!.id } } });
    const ghost = await db.customer.create({ data: { storeId, platformId: "999999999001", email: "ghost@example.com" } });
    await db.segmentMember.createMany({
      data: [ghost.id, customers[25]!.id].map((customerId) => ({ storeId, segmentId: vip.id, customerId })),
    });
    const bulk = await runTagPush(services, storeId, { client, shopify: { bulkThreshold: 0, wait: { intervalMs: 5 } } });
    expect(bulk).toMatchObject({ pushed: 2, failed: 1, mode: "bulk" });
    expect(bulk.failures).toEqual([{ customerId: ghost.id, platformId: "999999999001", reason: "Resource does not exist" }]);
    expect(sim.bulkMutations).toEqual([
      { field: "tagsAdd", lines: 2 },
      { field: "tagsRemove", lines: 1 },
    ]);
    expect(sim.tagsOf(gid(customers[0]!.platformId))).toEqual([]);
    expect(sim.tagsOf(gid(customers[25]!.platformId))).toEqual(["crm:VIP"]);
    const ghostNow = await db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId, id: ghost.id } } });
    expect(ghostNow.tags).toEqual([]);
  });
});
