// The sync page's buttons, through the real app: "Resync now" queues a backfill that the worker
// runs against the Admin API simulator, a second click while it runs is refused, and "Push
// segment tags" sends the tags; the page's loader reports progress and the push report.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdminSimulator, type AdminSimulator } from "../support/shopify-admin-simulator.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";

const SHOP = "sync-page.myshopify.com";
let sim: AdminSimulator;
let app: TestApp;
let cookie: string;
let storeId: number;

beforeAll(async () => {
  sim = await startAdminSimulator({ store: { seed: 55, customers: 60, shopDomain: SHOP }, accessToken: "shpat_sync_page", bulkPollsUntilComplete: 1 });
  app = await startTestApp({ SHOPIFY_ADMIN_ORIGIN: sim.origin });
  const { db } = app.services;
  const store = await db.store.create({ data: { platform: "shopify", domain: SHOP, name: "Sync page", currency: "BRL" } });
  storeId = store.id;
  await db.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: "shpat_sync_page" } });
  const login = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = login.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
});

const post = async (intent: string) => {
  const res = await fetch(`${app.url}/app/sync?_data=routes%2Fapp.sync`, { method: "POST", body: new URLSearchParams({ intent }), headers: { Cookie: cookie } });
  expect(res.status).toBe(200);
  return (await res.json()) as { ok: boolean; error: string | null };
};

async function waitForRun(kind: "backfill" | "tag_push") {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const run = await app.services.db.syncRun.findFirst({ where: { storeId, kind }, orderBy: { id: "desc" } });
    if (run && (run.status === "done" || run.status === "failed")) return run;
    if (Date.now() > deadline) throw new Error(`${kind} still ${run?.status} after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("sync page", () => {
  it("resyncs from the store once per click-while-running, then pushes segment tags", async () => {
    const { db } = app.services;
    expect(await post("resync")).toEqual({ ok: true, error: null });
    expect(await post("resync")).toEqual({ ok: false, error: "alreadyRunning" });
    const run = await waitForRun("backfill");
    expect(run.error).toBeNull();
    const expected = sim.summary();
    expect(await db.customer.count({ where: { storeId } })).toBe(expected.customers);
    expect(await db.order.count({ where: { storeId } })).toBe(expected.orders);
    expect(await db.syncRun.count({ where: { storeId, kind: "backfill" } })).toBe(1);

    const members = await db.customer.findMany({ where: { storeId }, take: 5, orderBy: { id: "asc" } });
    const segment = await db.segment.create({ data: { storeId, name: "Fiéis", pushTags: true, filter: {} } });
    await db.segmentMember.createMany({ data: members.map((m) => ({ storeId, segmentId: segment.id, customerId: m.id })) });
    expect(await post("push-tags")).toEqual({ ok: true, error: null });
    const push = await waitForRun("tag_push");
    expect(push).toMatchObject({ status: "done", done: 5, failed: 0 });
    for (const m of members) expect(sim.tagsOf(`gid://shopify/Customer/${m.platformId}`)).toEqual(["crm:Fiéis"]);

    const page = await fetch(`${app.url}/app/sync?_data=routes%2Fapp.sync`, { headers: { Cookie: cookie } });
    const data = (await page.json()) as { runs: { kind: string; status: string; progress: { percent: number }; report: { pushed: number } | null }[] };
    // The backfill also queued a rescoring of the store (analytics): its card appears once it starts.
    expect(data.runs.map((r) => r.kind).filter((k) => k !== "rescore")).toEqual(["backfill", "tag_push"]);
    expect(data.runs.slice(0, 2).map((r) => [r.kind, r.status, r.progress.percent])).toEqual([
      ["backfill", "done", 100],
      ["tag_push", "done", 100],
    ]);
    expect(data.runs[1]!.report).toMatchObject({ pushed: 5, unchanged: 0, failed: 0, mode: "direct" });
  });

  it("refuses an unknown action and resync for the demo store", async () => {
    expect(await post("drop-tables")).toEqual({ ok: false, error: "unknownIntent" });
    await app.services.db.store.update({ where: { id: storeId }, data: { isDemo: true } });
    expect(await post("resync")).toEqual({ ok: false, error: "resyncUnavailable" });
  });
});
