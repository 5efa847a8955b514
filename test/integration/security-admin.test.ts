// Admin security over real HTTP: every admin route (enumerated from app/routes, so pages added
// later are covered) refuses a request without a session and shows no data; forged cross-site
// POSTs are refused with 403 while same-origin ones work; and a table of by-id routes proves one
// store cannot read or change another store's rows (404). Rows for routes that do not exist yet
// are skipped with a line saying so — add a row when a by-id route is added.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "@prisma/client";
import type { Db } from "../../app/db/client.server.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { adminCookieFor } from "../support/privacy-helpers.ts";
import { routeExists, routeFiles } from "../support/route-paths.ts";
import { createApiToken } from "../../app/core/api/tokens.server.ts";

let app: TestApp;
let a: Store;
let b: Store;
const SECRET_NAME = "Clotilde Segredo-de-Loja-B";

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  const { db } = app.services;
  a = await db.store.create({ data: { platform: "woocommerce", domain: "loja-a.example.com", name: "Loja A" } });
  b = await db.store.create({ data: { platform: "woocommerce", domain: "loja-b.example.com", name: "Loja B" } });
});
afterAll(async () => app?.close());

const adminRoutes = () => routeFiles("1").filter((r) => r.file.startsWith("app.") || r.file === "app.tsx");

describe("every admin route needs a session", () => {
  it("enumerates the admin routes", () => {
    const paths = adminRoutes().map((r) => r.path);
    expect(paths).toContain("/app");
    expect(paths).toContain("/app/customers/1/erase");
    expect(paths).toContain("/app/customers/1/data.json");
    expect(paths.length).toBeGreaterThanOrEqual(5);
  });

  it("GET and POST without a session are sent to the login, never answered with data", async () => {
    await app.services.db.customer.create({ data: { storeId: a.id, platformId: "c1", firstName: SECRET_NAME, email: "clotilde@example.com" } });
    for (const route of adminRoutes()) {
      for (const method of ["GET", "POST"] as const) {
        const res = await fetch(`${app.url}${route.path}`, { method, redirect: "manual" });
        const body = await res.text();
        const where = `${method} ${route.path} (${route.file}) → ${res.status}`;
        expect([302, 401, 403, 405], where).toContain(res.status);
        if (res.status === 302) expect(res.headers.get("location"), where).toMatch(/^\/(login|auth\/login|welcome)/);
        expect(body, where).not.toContain(SECRET_NAME);
        expect(body, where).not.toContain("clotilde@example.com");
      }
    }
  });

  it("a forged or garbage session cookie is no session", async () => {
    for (const cookie of ["__caderninho=eyJsb2dnZWRJbiI6dHJ1ZX0%3D", "__caderninho=garbage.sig"]) {
      const res = await fetch(`${app.url}/app`, { headers: { Cookie: cookie }, redirect: "manual" });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toMatch(/^\/login/);
    }
  });
});

describe("CSRF (standalone cookie session)", () => {
  const post = async (headers: Record<string, string>) => {
    const cookie = await adminCookieFor(app.services, a.id);
    return fetch(`${app.url}/app/sync`, { method: "POST", redirect: "manual", headers: { Cookie: cookie, ...headers }, body: new URLSearchParams({ intent: "nothing" }) });
  };

  it("refuses a cross-site POST with 403, by Origin, by Referer, and by Fetch Metadata", async () => {
    const forged: Record<string, string>[] = [{ Origin: "https://evil.example.com" }, { Referer: "https://evil.example.com/page" }, { "Sec-Fetch-Site": "cross-site" }, { Origin: "null" }];
    for (const headers of forged) {
      const res = await post(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.text()).toMatch(/refused/);
    }
    // The login form too (login CSRF).
    const login = await fetch(`${app.url}/login`, { method: "POST", redirect: "manual", headers: { Origin: "https://evil.example.com" }, body: new URLSearchParams({ password: "test-password-123" }) });
    expect(login.status).toBe(403);
    expect(login.headers.get("set-cookie")).toBeNull();
  });

  it("lets a same-origin POST through (Origin or Referer of the app itself)", async () => {
    const own: Record<string, string>[] = [{ Origin: app.url }, { Referer: `${app.url}/app/sync` }, { "Sec-Fetch-Site": "same-origin", Origin: app.url }];
    for (const headers of own) {
      const res = await post(headers);
      expect(res.status, JSON.stringify(headers)).toBe(200); // the page's action ran (and refused the unknown intent)
      expect(await res.text()).not.toMatch(/Forbidden/);
    }
  });

  it("does not get in the way of signed public endpoints", async () => {
    const res = await fetch(`${app.url}/webhooks/shopify`, { method: "POST", headers: { Origin: "https://evil.example.com" }, body: "{}" });
    expect(res.status).toBe(401); // refused by its HMAC check, not by CSRF
  });
});

// ---------------------------------------------------------------------------------------------
// Cross-store access by id: store A's admin asks for store B's row. Add rows as routes appear.
// ---------------------------------------------------------------------------------------------
interface CrossStoreRow {
  name: string;
  /** Route file that must exist for the row to run. */
  file: string;
  method: "GET" | "POST";
  /** Create store B's row; answer the URL path that names it. */
  target(db: Db, storeId: number): Promise<string>;
  body?: Record<string, string>;
  /** "api": store A's API token (Bearer) instead of its admin cookie. */
  auth?: "admin" | "api";
}

const customerOf = async (db: Db, storeId: number) =>
  (await db.customer.create({ data: { storeId, platformId: `x-${Math.random()}`, firstName: SECRET_NAME, email: `b-${Math.random()}@example.com` } })).id;
const segmentOf = async (db: Db, storeId: number) => (await db.segment.create({ data: { storeId, name: SECRET_NAME, filter: {} } })).id;
const flowOf = async (db: Db, storeId: number) => (await db.flow.create({ data: { storeId, name: SECRET_NAME, template: "custom", trigger: {} } })).id;
const messageOf = async (db: Db, storeId: number) =>
  (await db.message.create({ data: { storeId, idempotencyKey: `k-${Math.random()}`, to: "b@example.com", subject: SECRET_NAME } })).id;

export const CROSS_STORE_ROWS: CrossStoreRow[] = [
  { name: "customer profile", file: "app.customers.$customerId.tsx", method: "GET", target: async (db, s) => `/app/customers/${await customerOf(db, s)}` },
  { name: "customer data export", file: "app.customers.$customerId.data[.]json.ts", method: "GET", target: async (db, s) => `/app/customers/${await customerOf(db, s)}/data.json` },
  { name: "customer erasure", file: "app.customers.$customerId.erase.ts", method: "POST", target: async (db, s) => `/app/customers/${await customerOf(db, s)}/erase` },
  { name: "segment", file: "app.segments.$segmentId.tsx", method: "GET", target: async (db, s) => `/app/segments/${await segmentOf(db, s)}` },
  { name: "segment change", file: "app.segments.$segmentId.tsx", method: "POST", target: async (db, s) => `/app/segments/${await segmentOf(db, s)}`, body: { intent: "delete" } },
  { name: "flow", file: "app.flows.$flowId.tsx", method: "GET", target: async (db, s) => `/app/flows/${await flowOf(db, s)}` },
  { name: "flow change", file: "app.flows.$flowId.tsx", method: "POST", target: async (db, s) => `/app/flows/${await flowOf(db, s)}`, body: { intent: "save", payload: "{}" } },
  { name: "message", file: "app.messages.$messageId.tsx", method: "GET", target: async (db, s) => `/app/messages/${await messageOf(db, s)}` },
  { name: "export download", file: "app.exports.$exportId.tsx", method: "GET", target: async () => `/app/exports/1` },
  { name: "API customer", file: "api.v1.customers_.$id.ts", method: "GET", auth: "api", target: async (db, s) => `/api/v1/customers/${await customerOf(db, s)}` },
  { name: "API segment", file: "api.v1.segments_.$id.ts", method: "GET", auth: "api", target: async (db, s) => `/api/v1/segments/${await segmentOf(db, s)}` },
  { name: "API segment members", file: "api.v1.segments_.$id.members.ts", method: "GET", auth: "api", target: async (db, s) => `/api/v1/segments/${await segmentOf(db, s)}/members` },
];

describe("one store cannot reach another store's rows by id", () => {
  for (const row of CROSS_STORE_ROWS) {
    const exists = routeExists(row.file);
    if (!exists) console.log(`skipped: cross-store check "${row.name}" — app/routes/${row.file} does not exist yet`);
    it.skipIf(!exists)(`${row.name}: ${row.method} ${row.file} → 404`, async () => {
      const before = await app.services.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "Customer" WHERE "storeId" = ${b.id} AND "erasedAt" IS NULL`;
      const path = await row.target(app.services.db, b.id);
      const res = await fetch(`${app.url}${path}`, {
        method: row.method,
        redirect: "manual",
        headers:
          row.auth === "api"
            ? { Authorization: `Bearer ${(await createApiToken(app.services.db, a.id, "security test")).token}` }
            : { Cookie: await adminCookieFor(app.services, a.id), Origin: app.url },
        body: row.method === "POST" ? new URLSearchParams(row.body ?? {}) : undefined,
      });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain(SECRET_NAME);
      const after = await app.services.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "Customer" WHERE "storeId" = ${b.id} AND "erasedAt" IS NULL`;
      expect(after[0]!.n).toBeGreaterThanOrEqual(before[0]!.n); // nothing of B's was erased
    });
  }
});
