// The segment pages through the real app over HTTP: list, live preview (count + sample, paths of
// problems), product search, create (materialises members), members page, tag push, delete — and
// another store's segment id is a 404 for every loader and action.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { order } from "../support/analytics-data.ts";
import { applyChanges } from "../../app/core/ingest/apply-batch.server.ts";
import { QUEUES } from "../../app/jobs/queues.ts";

let app: TestApp;
let cookie: string;
let storeA: number;
let storeB: number;
let foreignSegment: number;

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  const { db } = app.services;
  storeA = (await db.store.create({ data: { platform: "shopify", domain: "pages-a.myshopify.com", name: "Loja A", currency: "BRL" } })).id;
  storeB = (await db.store.create({ data: { platform: "shopify", domain: "pages-b.myshopify.com", name: "Loja B", currency: "BRL" } })).id;
  await applyChanges(db, storeA, [
    order({ id: "1", customer: "ana", placedAt: "2026-05-01T12:00:00Z", totalMinor: 20_000n, lines: [{ productId: "77", category: "Café", quantity: 1 }] }),
    order({ id: "2", customer: "bia", placedAt: "2026-05-02T12:00:00Z", totalMinor: 5_000n }),
    order({ id: "3", customer: "caio", placedAt: "2026-05-03T12:00:00Z", totalMinor: 15_000n }),
  ]);
  await applyChanges(db, storeB, [order({ id: "1", customer: "zed", placedAt: "2026-05-01T12:00:00Z", totalMinor: 90_000n })]);
  await db.product.create({ data: { storeId: storeA, platformId: "77", title: "Café especial" } });
  await db.product.create({ data: { storeId: storeB, platformId: "78", title: "Café da loja B" } });
  foreignSegment = (await db.segment.create({ data: { storeId: storeB, name: "Da loja B", filter: { type: "group", op: "and", children: [] } } })).id;
  const login = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = login.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(async () => app?.close());

const spenders = { type: "group", op: "and", children: [{ type: "condition", field: "totalSpent", op: "gte", value: 10_000 }] };
const data = (path: string, route: string) => `${app.url}${path}${path.includes("?") ? "&" : "?"}_data=${encodeURIComponent(route)}`;
const getJson = (path: string, route: string) => fetch(data(path, route), { headers: { Cookie: cookie } });
const postJson = (url: string, body: unknown) => fetch(url, { method: "POST", headers: { Cookie: cookie, "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body), redirect: "manual" });
const SEGMENT_ROUTE = "routes/app.segments.$segmentId";

describe("segment pages", () => {
  it("lists nothing yet and renders the empty state", async () => {
    const res = await getJson("/app/segments", "routes/app.segments._index");
    expect(res.status).toBe(200);
    expect((await res.json()).segments).toEqual([]);
    const html = await (await fetch(`${app.url}/app/segments`, { headers: { Cookie: cookie } })).text();
    expect(html).toContain("Crie seu primeiro segmento");
  });

  it("previews a count and a sample, and names the path of every problem", async () => {
    const ok = await postJson(`${app.url}/app/segments/preview`, { filter: spenders });
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body.count).toBe(2);
    expect(body.sample.map((c: { revenueMinor: string }) => c.revenueMinor)).toEqual(["20000", "15000"]);

    const bad = await postJson(`${app.url}/app/segments/preview`, { filter: { type: "group", op: "and", children: [{ type: "condition", field: "ordersCount", op: "gte", value: -1 }] } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).issues[0].path).toBe("children.0.value");
    const notJson = await postJson(`${app.url}/app/segments/preview`, "{nope");
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).issues[0].message).toMatch(/JSON/);
  });

  it("searches only this store's products", async () => {
    const res = await fetch(`${app.url}/app/segments/preview?products=caf`, { headers: { Cookie: cookie } });
    expect((await res.json()).products).toEqual([{ platformId: "77", title: "Café especial" }]);
  });

  it("creates a segment (members materialised), shows its members, refuses bad input with paths", async () => {
    const { db } = app.services;
    const noName = await postJson(data("/app/segments/new", "routes/app.segments.new"), { intent: "save", name: " ", filter: spenders });
    expect(noName.status).toBe(400);
    expect(await noName.json()).toMatchObject({ ok: false, error: null, issues: [{ path: "name" }] });
    const badFilter = await postJson(data("/app/segments/new", "routes/app.segments.new"), { intent: "save", name: "X", filter: { type: "group", op: "and", children: [{ type: "condition", field: "city", op: "in", values: [""] }] } });
    expect(badFilter.status).toBe(400);
    expect(await badFilter.json()).toMatchObject({ error: "invalidFilter", issues: [{ path: "filter.children.0.values.0" }] });
    expect(await db.segment.count({ where: { storeId: storeA } })).toBe(0);

    const created = await postJson(data("/app/segments/new", "routes/app.segments.new"), { intent: "save", name: "Gastam bem", filter: spenders, pushTags: false });
    expect(created.status).toBe(204);
    const location = created.headers.get("x-remix-redirect")!;
    expect(location).toMatch(/^\/app\/segments\/\d+\?saved=1$/);
    const id = Number(location.split("/")[3]!.split("?")[0]);
    const segment = await db.segment.findUniqueOrThrow({ where: { storeId_id: { storeId: storeA, id } } });
    expect(segment.memberCount).toBe(2);

    const page = await (await getJson(`/app/segments/${id}`, SEGMENT_ROUTE)).json();
    expect(page.segment).toMatchObject({ name: "Gastam bem", kind: "custom", memberCount: 2 });
    expect(page.members.rows.map((r: { revenueMinor: string }) => r.revenueMinor).sort()).toEqual(["15000", "20000"]);
    expect(page.tagName).toBe("crm:Gastam bem");
    const html = await (await fetch(`${app.url}/app/segments/${id}`, { headers: { Cookie: cookie } })).text();
    expect(html).toContain("/app/export/customers.csv?segment=" + id);
    expect(html).toContain("/app/customers/");
    expect((await fetch(`${app.url}/app/segments/new`, { headers: { Cookie: cookie } })).status).toBe(200);

    // Edit: narrower rule, members follow.
    const edited = await postJson(data(`/app/segments/${id}`, SEGMENT_ROUTE), { intent: "save", name: "Gastam muito", filter: { ...spenders, children: [{ ...spenders.children[0], value: 18_000 }] } });
    expect(edited.status).toBe(204);
    expect((await db.segment.findUniqueOrThrow({ where: { storeId_id: { storeId: storeA, id } } })).memberCount).toBe(1);

    // Push tags: turns push on and queues one run with a job.
    const push = await postJson(data(`/app/segments/${id}`, SEGMENT_ROUTE), { intent: "push-tags" });
    expect(await push.json()).toMatchObject({ ok: true, pushQueued: true });
    expect((await db.segment.findUniqueOrThrow({ where: { storeId_id: { storeId: storeA, id } } })).pushTags).toBe(true);
    expect(await db.syncRun.count({ where: { storeId: storeA, kind: "tag_push", status: "queued" } })).toBe(1);
    const jobs = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${QUEUES.tagsPush} AND "singleton_key" = ${String(storeA)}`;
    expect(jobs[0]!.n).toBe(1);
    const again = await postJson(data(`/app/segments/${id}`, SEGMENT_ROUTE), { intent: "push-tags" });
    expect(await again.json()).toMatchObject({ ok: false, error: "alreadyRunning" });

    // Delete: members leave with an event each, the segment is gone.
    const deleted = await postJson(data(`/app/segments/${id}`, SEGMENT_ROUTE), { intent: "delete" });
    expect(deleted.headers.get("x-remix-redirect")).toBe("/app/segments");
    expect(await db.segment.count({ where: { storeId: storeA, id } })).toBe(0);
    expect(await db.event.count({ where: { storeId: storeA, type: "segment_left" } })).toBe(2);
  });

  it("automatic segments are read-only", async () => {
    const { db } = app.services;
    const auto = await db.segment.create({ data: { storeId: storeA, name: "Campeões", kind: "rfm", autoKey: "rfm:champions", nameKey: "analytics.segments.champions", filter: { type: "group", op: "and", children: [{ type: "condition", field: "rfmSegment", op: "in", values: ["champions"] }] } } });
    const res = await postJson(data(`/app/segments/${auto.id}`, SEGMENT_ROUTE), { intent: "save", name: "Mine now", filter: spenders });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "automaticReadOnly" });
    expect((await db.segment.findUniqueOrThrow({ where: { storeId_id: { storeId: storeA, id: auto.id } } })).name).toBe("Campeões");
    const html = await (await fetch(`${app.url}/app/segments/${auto.id}`, { headers: { Cookie: cookie } })).text();
    expect(html).toContain("Este segmento é automático");
  });

  it("another store's segment is a 404 for the page, its data and every action", async () => {
    const { db } = app.services;
    expect((await getJson(`/app/segments/${foreignSegment}`, SEGMENT_ROUTE)).status).toBe(404);
    expect((await fetch(`${app.url}/app/segments/${foreignSegment}`, { headers: { Cookie: cookie } })).status).toBe(404);
    expect((await getJson(`/app/segments/not-a-number`, SEGMENT_ROUTE)).status).toBe(404);
    for (const intent of ["delete", "save", "push-tags"]) {
      const res = await postJson(data(`/app/segments/${foreignSegment}`, SEGMENT_ROUTE), { intent, name: "Hijacked", filter: spenders });
      expect(res.status, intent).toBe(404);
    }
    const still = await db.segment.findUniqueOrThrow({ where: { storeId_id: { storeId: storeB, id: foreignSegment } } });
    expect(still).toMatchObject({ name: "Da loja B", pushTags: false });
    expect(await db.segmentMember.count({ where: { storeId: storeB } })).toBe(0);
    // The list shows only this store's segments.
    const list = await (await getJson("/app/segments", "routes/app.segments._index")).json();
    expect(list.segments.map((s: { id: number }) => s.id)).not.toContain(foreignSegment);
  });
});
