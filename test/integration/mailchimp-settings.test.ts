// Settings → Mailchimp through the real app and the Mailchimp simulator: a key is checked with
// Mailchimp before it is stored, stored encrypted and never returned; the audience picker lists
// the account's audiences; another store's segments are refused; "Sync now" queues the job, which
// the worker runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { startMailchimpSimulator, type MailchimpSimulator } from "../support/mailchimp-simulator.ts";
import { subscriberHash } from "#adapters/mailchimp/client.server.ts";

let sim: MailchimpSimulator;
let app: TestApp;
let cookie: string;
let storeId: number;
let segment: number;
let foreignSegment: number;

beforeAll(async () => {
  sim = await startMailchimpSimulator();
  app = await startTestApp({ MAILCHIMP_API_BASE: sim.apiBase });
  const { db } = app.services;
  storeId = (await db.store.create({ data: { platform: "woocommerce", domain: "mcs.example", name: "MCS" } })).id;
  const other = (await db.store.create({ data: { platform: "woocommerce", domain: "mcs-other.example", name: "Other" } })).id;
  const c = await db.customer.create({ data: { storeId, platformId: "1", email: "fiel@example.com", acceptsEmailMarketing: true } });
  segment = (await db.segment.create({ data: { storeId, name: "Fiéis", filter: {} } })).id;
  await db.segmentMember.create({ data: { storeId, segmentId: segment, customerId: c.id } });
  foreignSegment = (await db.segment.create({ data: { storeId: other, name: "Not yours", filter: {} } })).id;
  const login = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = login.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
});

const PATH = `/app/settings/mailchimp?_data=routes%2Fapp.settings.mailchimp`;
const post = async (body: Record<string, string>) => {
  const res = await fetch(`${app.url}${PATH}`, { method: "POST", body: new URLSearchParams(body), headers: { Cookie: cookie } });
  expect(res.status).toBe(200);
  return (await res.json()) as { ok: boolean; error?: string; path?: string; done?: string };
};
const page = async () => (await (await fetch(`${app.url}${PATH}`, { headers: { Cookie: cookie } })).text());

describe("Mailchimp settings", () => {
  it("checks the key's shape and with Mailchimp before storing it encrypted", async () => {
    expect(await post({ intent: "saveKey", apiKey: "hello" })).toMatchObject({ ok: false, error: "invalidKey", path: "apiKey" });
    expect(await post({ intent: "saveKey", apiKey: `${"e".repeat(32)}-us21` })).toMatchObject({ ok: false, error: "keyRefused", path: "apiKey" });
    expect(await app.services.db.mailchimpConnection.count()).toBe(0);
    expect(await post({ intent: "saveKey", apiKey: sim.apiKey })).toEqual({ ok: true, done: "keySaved" });
    const row = await app.services.db.mailchimpConnection.findUniqueOrThrow({ where: { storeId } });
    expect(row.server).toBe("us21");
    expect(row.apiKey).not.toContain(sim.apiKey.slice(0, 32));
    const text = await page();
    expect(text).not.toContain(sim.apiKey.slice(0, 32));
    expect(JSON.parse(text)).toMatchObject({ lists: [{ id: "a1b2c3d4e5", name: "Clientes da loja" }], listsError: null, connection: { server: "us21", listId: null } });
  });

  it("saves the audience and the store's own segments only", async () => {
    expect(await post({ intent: "sync" })).toMatchObject({ ok: false, error: "notConnected" });
    expect(await post({ intent: "saveAudience", listId: "nope", segmentIds: "" })).toMatchObject({ ok: false, error: "unknownList" });
    expect(await post({ intent: "saveAudience", listId: "a1b2c3d4e5", segmentIds: String(foreignSegment) })).toMatchObject({ ok: false, error: "invalidSegments" });
    expect(await post({ intent: "saveAudience", listId: "a1b2c3d4e5", segmentIds: "x" })).toMatchObject({ ok: false, path: "segmentIds" });
    expect(await post({ intent: "saveAudience", listId: "a1b2c3d4e5", segmentIds: String(segment) })).toEqual({ ok: true, done: "audienceSaved" });
  });

  it("'Sync now' queues the job and the worker syncs the audience", async () => {
    expect(await post({ intent: "sync" })).toEqual({ ok: true, done: "syncQueued" });
    const deadline = Date.now() + 30_000;
    while (!(await app.services.db.mailchimpConnection.findUniqueOrThrow({ where: { storeId } })).lastSyncedAt) {
      if (Date.now() > deadline) throw new Error("Mailchimp sync did not run");
      await new Promise((r) => setTimeout(r, 200));
    }
    const member = sim.members("a1b2c3d4e5").get(subscriberHash("fiel@example.com"));
    expect(member).toMatchObject({ status: "subscribed" });
    expect([...member!.tags]).toEqual(["Fiéis"]);
    expect(JSON.parse(await page())).toMatchObject({ connection: { lastReport: { upserted: 1, tagged: 1, failed: 0 } } });
  });

  it("renders the page (server-side)", async () => {
    const res = await fetch(`${app.url}/app/settings/mailchimp?locale=pt-BR`, { headers: { Cookie: cookie, "Accept-Language": "pt-BR" } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Público");
    expect(html).not.toContain(sim.apiKey.slice(0, 32));
  });
});
