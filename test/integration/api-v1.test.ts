// The read-only REST API through the real app: tokens created and revoked on the settings page,
// each token sees one store only (another store's ids are 404), stable keyset pagination, zod
// errors, the rate limit, and every response valid against the served OpenAPI document.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { createApiToken } from "#app/core/api/tokens.server.ts";
import { API_BURST } from "#app/core/api/handler.server.ts";

let app: TestApp;
let cookie: string;
let storeA: number;
let storeB: number;
let tokenA: string;
let tokenB: string;
let segA: number;
let segB: number;
let customerB: number;
let validate: (schemaName: string, body: unknown) => void;

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  const { db } = app.services;
  storeA = (await db.store.create({ data: { platform: "woocommerce", domain: "api-a.example", name: "A", currency: "BRL" } })).id;
  storeB = (await db.store.create({ data: { platform: "woocommerce", domain: "api-b.example", name: "B", currency: "USD" } })).id;
  await db.$executeRaw`INSERT INTO "Customer" ("storeId", "platformId", email, "firstName", "acceptsEmailMarketing", "updatedAt")
    SELECT ${storeA}, 'a' || g, 'c' || g || '@example.com', 'Cliente ' || g, g % 3 = 0, now() FROM generate_series(1, 25) g`;
  await db.customer.create({ data: { storeId: storeA, platformId: "erased", email: "gone@example.com", erasedAt: new Date() } });
  const first = await db.customer.findFirstOrThrow({ where: { storeId: storeA }, orderBy: { id: "asc" } });
  await db.customerStats.create({ data: { storeId: storeA, customerId: first.id, ordersCount: 3, revenueMinor: 99990n, avgOrderMinor: 33330n, rfmSegment: "loyal", predictedClvMinor: 12345n, churnRisk: 0.25 } });
  customerB = (await db.customer.create({ data: { storeId: storeB, platformId: "b1", email: "b@example.com" } })).id;
  segA = (await db.segment.create({ data: { storeId: storeA, name: "Leais", filter: {}, memberCount: 10 } })).id;
  const some = await db.customer.findMany({ where: { storeId: storeA, erasedAt: null }, orderBy: { id: "asc" }, take: 10 });
  await db.segmentMember.createMany({ data: some.map((c) => ({ storeId: storeA, segmentId: segA, customerId: c.id })) });
  segB = (await db.segment.create({ data: { storeId: storeB, name: "B", filter: {} } })).id;
  tokenB = (await createApiToken(db, storeB, "b")).token;

  const login = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = login.headers.get("set-cookie")!.split(";")[0]!;

  const doc = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as { openapi: string; components: { schemas: Record<string, object> } };
  expect(doc.openapi).toBe("3.1.0");
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  // The document itself is the schema root, so its "#/components/schemas/…" references resolve.
  ajv.addSchema({ $id: "doc", components: doc.components });
  validate = (name, body) => {
    const check = ajv.compile({ $ref: `doc#/components/schemas/${name}` });
    if (!check(body)) throw new Error(`${name} does not match the OpenAPI document: ${ajv.errorsText(check.errors)}`);
  };
});
afterAll(async () => {
  await app?.close();
});

const api = (path: string, token: string | null = tokenA, init: RequestInit = {}) =>
  fetch(`${app.url}/api/v1${path}`, { ...init, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) } });
const settings = async (body: Record<string, string>) => {
  const res = await fetch(`${app.url}/app/settings/api?_data=routes%2Fapp.settings.api`, { method: "POST", body: new URLSearchParams(body), headers: { Cookie: cookie } });
  expect(res.status).toBe(200);
  return (await res.json()) as { ok: boolean; token?: string; error?: string };
};

describe("REST API v1", () => {
  it("creates a token on the settings page, shown once; the list shows only its prefix", async () => {
    const created = await settings({ intent: "create", name: "BI" });
    expect(created.ok).toBe(true);
    tokenA = created.token!;
    expect(tokenA).toMatch(/^cad_[\w-]{43}$/);
    const stored = await app.services.db.apiToken.findFirstOrThrow({ where: { storeId: storeA } });
    expect(stored.tokenHash).not.toContain(tokenA);
    const page = await fetch(`${app.url}/app/settings/api?_data=routes%2Fapp.settings.api`, { headers: { Cookie: cookie } });
    const text = await page.text();
    expect(text).not.toContain(tokenA);
    expect(text).toContain(tokenA.slice(0, 12));
    expect(await settings({ intent: "create", name: "  " })).toMatchObject({ ok: false, error: "nameMissing" });
  });

  it("refuses missing and unknown tokens with 401 JSON", async () => {
    for (const token of [null, "cad_nope", "not-even-a-token"]) {
      const res = await api("/customers", token);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
  });

  it("pages customers by id, stably, and leaves erased customers out", async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api(`/customers?limit=10${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: { id: number; email: string }[]; page: { nextCursor: string | null } };
      validate("CustomerPage", body);
      seen.push(...body.data.map((c) => c.id));
      cursor = body.page.nextCursor;
      pages++;
      // A customer added mid-way lands at the end; pages already read do not shift.
      if (pages === 1) await app.services.db.customer.create({ data: { storeId: storeA, platformId: "late", email: "late@example.com" } });
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(26);
    expect(new Set(seen).size).toBe(26);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it("filters, and returns one customer with stats as strings of minor units", async () => {
    const byEmail = (await (await api("/customers?email=C3@EXAMPLE.COM")).json()) as { data: { email: string }[] };
    expect(byEmail.data.map((c) => c.email)).toEqual(["c3@example.com"]);
    const consenting = (await (await api("/customers?acceptsEmailMarketing=true&limit=250")).json()) as { data: unknown[] };
    expect(consenting.data).toHaveLength(8);
    const loyal = (await (await api("/customers?rfmSegment=loyal")).json()) as { data: { id: number }[] };
    expect(loyal.data).toHaveLength(1);
    const res = await api(`/customers/${loyal.data[0]!.id}`);
    const one = (await res.json()) as { stats: object };
    validate("Customer", one);
    expect(one.stats).toMatchObject({ ordersCount: 3, revenueMinor: "99990", averageOrderMinor: "33330", currency: "BRL", rfmSegment: "loyal", predictedClvMinor: "12345", churnRisk: 0.25 });
  });

  it("answers bad queries with 400 and the parameter's path", async () => {
    const res = await api("/customers?limit=1000&cursor=abc&updatedSince=yesterday");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { issues: { path: string }[] } };
    validate("Error", body);
    expect(body.error.issues.map((i) => i.path).sort()).toEqual(["cursor", "limit", "updatedSince"]);
  });

  it("keeps each token to its own store: another store's ids are 404", async () => {
    expect((await api(`/customers/${customerB}`)).status).toBe(404);
    expect((await api(`/segments/${segB}`)).status).toBe(404);
    expect((await api(`/segments/${segB}/members`)).status).toBe(404);
    expect((await api(`/customers?segment=${segB}`)).status).toBe(404);
    expect((await api(`/customers/abc`)).status).toBe(404);
    const b = (await (await api("/customers", tokenB)).json()) as { data: { id: number }[] };
    expect(b.data.map((c) => c.id)).toEqual([customerB]);
    const bSegments = (await (await api("/segments", tokenB)).json()) as { data: { id: number }[] };
    expect(bSegments.data.map((s) => s.id)).toEqual([segB]);
  });

  it("lists segments and pages a segment's members", async () => {
    const list = (await (await api("/segments")).json()) as { data: { id: number; name: string }[] };
    validate("SegmentList", list);
    expect(list.data.map((s) => s.name)).toEqual(["Leais"]);
    const one = await (await api(`/segments/${segA}`)).json();
    validate("Segment", one);
    const first = (await (await api(`/segments/${segA}/members?limit=6`)).json()) as { data: { customer: { id: number } }[]; page: { nextCursor: string } };
    validate("SegmentMemberPage", first);
    const second = (await (await api(`/segments/${segA}/members?limit=6&cursor=${first.page.nextCursor}`)).json()) as { data: unknown[]; page: { nextCursor: null } };
    expect(first.data).toHaveLength(6);
    expect(second.data).toHaveLength(4);
    expect(second.page.nextCursor).toBeNull();
  });

  it("serves the store metrics", async () => {
    const res = await api("/stats?from=2020-01-01T00:00:00Z");
    expect(res.status).toBe(200);
    const stats = (await res.json()) as { currency: string; period: { from: string } };
    validate("StoreStats", stats);
    expect(stats.currency).toBe("BRL");
    expect(stats.period.from).toBe("2020-01-01T00:00:00.000Z");
    // The validator is not vacuous: a wrong shape fails.
    expect(() => validate("StoreStats", { ...stats, revenueMinor: 12.5 })).toThrow(/does not match/);
  });

  it("is read-only and answers unknown paths with JSON 404", async () => {
    const post = await api("/customers", tokenA, { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
    const unknown = await api("/orders");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/json");
  });

  it("revoking a token on the settings page makes it 401 at once; another store's token cannot be revoked", async () => {
    const other = await app.services.db.apiToken.findFirstOrThrow({ where: { storeId: storeB } });
    expect(await settings({ intent: "revoke", id: String(other.id) })).toMatchObject({ ok: false, error: "notFound" });
    expect((await api("/segments", tokenB)).status).toBe(200);
    const mine = await app.services.db.apiToken.findFirstOrThrow({ where: { storeId: storeA } });
    expect(mine.lastUsedAt).not.toBeNull();
    expect(await settings({ intent: "revoke", id: String(mine.id) })).toEqual({ ok: true });
    expect((await api("/customers")).status).toBe(401);
  });

  it("rate-limits per token with 429 and Retry-After", async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < API_BURST + 20; i++) {
      const res = await api("/segments", tokenB);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get("retry-after");
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, API_BURST - 5).every((s) => s === 200)).toBe(true);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});
