// Mailchimp audience sync against the Mailchimp simulator (real HTTP, the SDK's own requests):
// only consenting customers are subscribed, withdrawn consent becomes "unsubscribed", only
// differences are sent (members and tags), 429/5xx are retried, large syncs go through batch
// operations whose failed members are reported and retried next time, and other stores never leak.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServices, type TestServices } from "../support/test-services.ts";
import { startMailchimpSimulator, type MailchimpSimulator } from "../support/mailchimp-simulator.ts";
import { encryptSecret } from "#app/core/crypto.ts";
import { keyringOf, runMailchimpSync } from "#app/jobs/mailchimp-sync.server.ts";
import { subscriberHash } from "#adapters/mailchimp/client.server.ts";

const LIST = "a1b2c3d4e5";
let sim: MailchimpSimulator;
let services: TestServices;
let storeId: number;
let otherStore: number;
let vip: number;
let novos: number;
const ids: Record<string, number> = {};
const fast = { retryBaseMs: 5, batchPollMs: 10 };

beforeAll(async () => {
  sim = await startMailchimpSimulator();
  services = await startTestServices({ MAILCHIMP_API_BASE: sim.apiBase });
  const { db } = services;
  storeId = (await db.store.create({ data: { platform: "woocommerce", domain: "mc.example", name: "MC" } })).id;
  otherStore = (await db.store.create({ data: { platform: "woocommerce", domain: "mc-other.example", name: "Other" } })).id;
  const make = async (key: string, data: { email: string; acceptsEmailMarketing: boolean; firstName?: string; erasedAt?: Date }, store = storeId) => {
    ids[key] = (await db.customer.create({ data: { storeId: store, platformId: key, phone: "+5511999990000", ...data } })).id;
  };
  await make("ana", { email: "Ana@Example.com", acceptsEmailMarketing: true, firstName: "Ana" });
  await make("bia", { email: "bia@example.com", acceptsEmailMarketing: true, firstName: "Bia" });
  await make("caio", { email: "caio@example.com", acceptsEmailMarketing: false, firstName: "Caio" });
  await make("gone", { email: "gone@example.com", acceptsEmailMarketing: true, erasedAt: new Date() });
  await make("other", { email: "other@example.com", acceptsEmailMarketing: true }, otherStore);
  vip = (await db.segment.create({ data: { storeId, name: "VIP", filter: {} } })).id;
  novos = (await db.segment.create({ data: { storeId, name: "Novos", filter: {} } })).id;
  await db.segmentMember.createMany({ data: [{ storeId, segmentId: vip, customerId: ids.ana! }, { storeId, segmentId: vip, customerId: ids.caio! }] });
  await db.mailchimpConnection.create({ data: { storeId, apiKey: encryptSecret(sim.apiKey, keyringOf(services.secrets)), server: "us21", listId: LIST, segmentIds: [vip, novos] } });
});
afterAll(async () => {
  await services?.cleanup();
  await sim?.close();
});

const member = (email: string) => sim.members(LIST).get(subscriberHash(email));

describe("Mailchimp sync", () => {
  it("subscribes only consenting customers, with merge fields and segment tags", async () => {
    const report = await runMailchimpSync(services, storeId, fast);
    expect(report).toMatchObject({ upserted: 2, unsubscribed: 0, tagged: 1, failed: 0, mode: "direct" });
    expect([...sim.members(LIST).values()].map((m) => m.email).sort()).toEqual(["Ana@Example.com", "bia@example.com"]);
    expect(member("ana@example.com")).toMatchObject({ status: "subscribed", mergeFields: { FNAME: "Ana", PHONE: "+5511999990000" } });
    expect([...member("ana@example.com")!.tags]).toEqual(["VIP"]);
    expect(member("caio@example.com")).toBeUndefined(); // never consented: never sent, even though in VIP
    expect(member("gone@example.com")).toBeUndefined();
    expect(member("other@example.com")).toBeUndefined();
    // Every request authenticated with basic auth and went to the key's data centre (checked by the simulator).
    expect(sim.requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{32}/, "<hash>")}`)).toEqual([
      `PUT /lists/${LIST}/members/<hash>`,
      `POST /lists/${LIST}/members/<hash>/tags`,
      `PUT /lists/${LIST}/members/<hash>`,
    ]);
  });

  it("sends nothing when nothing changed", async () => {
    const before = sim.requests.length;
    const report = await runMailchimpSync(services, storeId, fast);
    expect(report).toMatchObject({ upserted: 0, tagged: 0, unchanged: 2, mode: "none" });
    expect(sim.requests.length).toBe(before);
  });

  it("unsubscribes withdrawn consent and sends only tag differences, retrying 429 and 503", async () => {
    const { db } = services;
    await db.customer.update({ where: { storeId_id: { storeId, id: ids.bia! } }, data: { acceptsEmailMarketing: false } });
    await db.segmentMember.delete({ where: { storeId_segmentId_customerId: { storeId, segmentId: vip, customerId: ids.ana! } } });
    await db.segmentMember.create({ data: { storeId, segmentId: novos, customerId: ids.ana! } });
    const before = sim.requests.length;
    sim.failNext(2, 429);
    const report = await runMailchimpSync(services, storeId, fast);
    expect(report).toMatchObject({ upserted: 0, unsubscribed: 1, tagged: 1, failed: 0 });
    expect(member("bia@example.com")!.status).toBe("unsubscribed");
    expect([...member("ana@example.com")!.tags]).toEqual(["Novos"]);
    const sent = sim.requests.slice(before);
    // Two refused attempts, then the tags call (ana: Novos active, VIP inactive) and bia's unsubscribe.
    expect(sent).toHaveLength(4);
    const tagCall = sent.find((r) => r.path.endsWith("/tags"))!;
    expect(tagCall.body).toEqual({ tags: [{ name: "Novos", status: "active" }, { name: "VIP", status: "inactive" }] });
    sim.failNext(1, 503);
    await db.customer.update({ where: { storeId_id: { storeId, id: ids.ana! } }, data: { firstName: "Ana Maria" } });
    expect(await runMailchimpSync(services, storeId, fast)).toMatchObject({ upserted: 1, failed: 0 });
    expect(member("ana@example.com")!.mergeFields.FNAME).toBe("Ana Maria");
  });

  it("goes through batch operations for large syncs and reports refused members, which are retried next time", async () => {
    const { db } = services;
    await db.$executeRaw`INSERT INTO "Customer" ("storeId", "platformId", email, "firstName", "acceptsEmailMarketing", "updatedAt")
      SELECT ${storeId}, 'bulk' || g, 'bulk' || g || '@example.com', 'Bulk ' || g, true, now() FROM generate_series(1, 150) g`;
    const broken = (await db.customer.create({ data: { storeId, platformId: "broken", email: "not-an-email", acceptsEmailMarketing: true } })).id;
    const report = await runMailchimpSync(services, storeId, fast);
    expect(report).toMatchObject({ mode: "batch", upserted: 150, failed: 1 });
    expect(report.failures).toEqual([{ customerId: broken, email: "not-an-email", reason: expect.stringContaining("valid email") as string }]);
    expect(sim.members(LIST).size).toBe(2 + 150);
    expect(sim.requests.filter((r) => r.path === "/batches")).toHaveLength(1);
    expect(await db.mailchimpMember.count({ where: { storeId } })).toBe(2 + 150);
    // The refused member is not recorded as sent: the next run tries it again (and only it).
    const again = await runMailchimpSync(services, storeId, fast);
    expect(again).toMatchObject({ mode: "direct", failed: 1, unchanged: 152 });
    const connection = await db.mailchimpConnection.findUniqueOrThrow({ where: { storeId } });
    expect(connection.lastReport).toMatchObject({ failed: 1 });
  });

  it("unsubscribes a customer's old address when the email changes, and deletes erased customers for good", async () => {
    const { db } = services;
    await db.customer.update({ where: { storeId_id: { storeId, id: ids.ana! } }, data: { email: "ana.nova@example.com" } });
    await db.customer.update({ where: { storeId_id: { storeId, id: ids.bia! } }, data: { erasedAt: new Date(), email: null, firstName: null } });
    const report = await runMailchimpSync(services, storeId, fast);
    expect(report).toMatchObject({ mode: "direct", removed: 1, upserted: 1, tagged: 1, failed: 1 }); // the broken address still fails
    expect(member("ana@example.com")!.status).toBe("unsubscribed");
    expect(member("ana.nova@example.com")).toMatchObject({ status: "subscribed" });
    expect([...member("ana.nova@example.com")!.tags]).toEqual(["Novos"]);
    expect(member("bia@example.com")).toBeUndefined();
    expect(await db.mailchimpMember.findUnique({ where: { storeId_customerId: { storeId, customerId: ids.bia! } } })).toBeNull();
  });

  it("explains a refused key", async () => {
    const { db } = services;
    await db.mailchimpConnection.update({ where: { storeId }, data: { apiKey: encryptSecret(`${"f".repeat(32)}-us21`, keyringOf(services.secrets)) } });
    await db.customer.updateMany({ where: { storeId, platformId: "bulk1" }, data: { firstName: "Changed" } });
    const report = await runMailchimpSync(services, storeId, fast);
    expect(report.failed).toBeGreaterThan(0);
    expect(report.failures[0]!.reason).toMatch(/401.*API Key Invalid/);
  });
});
