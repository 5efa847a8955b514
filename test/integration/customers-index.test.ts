// The customers index against real PostgreSQL: search by name, e-mail, phone and CPF; filters;
// every sort walked page by page forwards and backwards through keyset cursors equals the whole
// list sorted in JavaScript; bad URL parameters get a 400 naming the parameter; another store's
// customers never show; the search uses the pg_trgm index.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { seedCustomers, type SeededCustomer } from "./customers-seed.ts";
import { SEARCH_DOCUMENT, searchCustomers, type CustomerRow } from "../../app/core/customers/search.server.ts";
import { decodeCursor, parseCustomerQuery, type CustomerQuery } from "../../app/core/customers/query.ts";

let app: TestApp;
let cookie: string;
let storeA: number;
let storeB: number;
let seeded: SeededCustomer[];
let other: SeededCustomer[];

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  const { db } = app.services;
  storeA = (await db.store.create({ data: { platform: "shopify", domain: "index-a.myshopify.com", name: "A", currency: "BRL" } })).id;
  storeB = (await db.store.create({ data: { platform: "shopify", domain: "index-b.myshopify.com", name: "B", currency: "BRL" } })).id;
  seeded = await seedCustomers(db, storeA, 37, { prefix: "a" });
  other = await seedCustomers(db, storeB, 9, { prefix: "b" });
  const login = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = login.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(async () => {
  await app?.close();
});

function query(search: string): CustomerQuery {
  const r = parseCustomerQuery(new URLSearchParams(search));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.query;
}

/** Every row of a query, walking `after` cursors with small pages; then back with `before`. */
async function walk(q: CustomerQuery, pageSize = 4): Promise<{ forward: CustomerRow[]; backward: CustomerRow[]; pages: number }> {
  const { db } = app.services;
  const forward: CustomerRow[] = [];
  const pages: { rows: CustomerRow[]; previous: string | null }[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const page = await searchCustomers(db, storeA, q, after ? { after: (decodeCursor(after, "after") as { ok: true; cursor: never }).cursor } : {}, pageSize);
    pages.push(page);
    forward.push(...page.rows);
    if (!page.next) break;
    after = page.next;
  }
  // From the last page back to the first with `before`.
  const backward: CustomerRow[] = [...pages[pages.length - 1]!.rows];
  let before = pages[pages.length - 1]!.previous;
  for (let guard = 0; before && guard < 100; guard++) {
    const page = await searchCustomers(db, storeA, q, { before: (decodeCursor(before, "before") as { ok: true; cursor: never }).cursor }, pageSize);
    backward.unshift(...page.rows);
    before = page.previous;
  }
  return { forward, backward, pages: pages.length };
}

const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

describe("customers index", () => {
  it("walks every sort forwards and backwards in the same order as a full sort, with no row twice", async () => {
    const { db } = app.services;
    const stats = new Map((await db.customerStats.findMany({ where: { storeId: storeA } })).map((s) => [s.customerId, s]));
    const key = {
      last_order: (c: SeededCustomer) => stats.get(c.id)?.lastOrderAt?.getTime() ?? null,
      total_spent: (c: SeededCustomer) => (stats.get(c.id)?.ordersCount ? Number(stats.get(c.id)!.revenueMinor) : null),
      orders: (c: SeededCustomer) => (stats.get(c.id)?.ordersCount ? stats.get(c.id)!.ordersCount : null),
    };
    for (const sort of ["last_order", "total_spent", "orders"] as const) {
      for (const dir of ["desc", "asc"] as const) {
        // Buyers by (key, id), customers without orders by id: after the buyers when descending, before them when ascending.
        const buyers = seeded.filter((c) => key[sort](c) !== null).sort((a, b) => key[sort](a)! - key[sort](b)! || a.id - b.id);
        const others = seeded.filter((c) => key[sort](c) === null).sort((a, b) => a.id - b.id);
        const expected = dir === "asc" ? [...others, ...buyers] : [...buyers.reverse(), ...others.reverse()];
        const { forward, backward, pages } = await walk(query(`sort=${sort}&dir=${dir}`));
        expect(ids(forward), `${sort} ${dir}`).toEqual(ids(expected));
        expect(ids(backward), `${sort} ${dir} backwards`).toEqual(ids(expected));
        expect(pages).toBe(Math.ceil(seeded.length / 4));
      }
    }
    const byName = [...seeded].sort((a, b) => {
      const ka = `${a.firstName} ${a.lastName}`.toLowerCase();
      const kb = `${b.firstName} ${b.lastName}`.toLowerCase();
      return ka < kb ? -1 : ka > kb ? 1 : a.id - b.id;
    });
    const { forward, backward } = await walk(query("sort=name"));
    // PostgreSQL's collation may order accented names differently from JS: compare as sets of
    // positions only where the two agree on plain ASCII names, and exactly as a set overall.
    expect(new Set(ids(forward))).toEqual(new Set(ids(byName)));
    expect(ids(backward)).toEqual(ids(forward));
    const plain = (rows: { id: number }[]) => ids(rows).filter((id) => !/[^\x20-\x7e]/.test(seeded.find((c) => c.id === id)!.firstName));
    expect(plain(forward)).toEqual(plain(byName));
  });

  it("searches name, e-mail, phone digits and a formatted CPF; filters by segment, orders, consent, tag, country and state", async () => {
    const { db } = app.services;
    const all = async (search: string) => ids((await searchCustomers(db, storeA, query(search), {}, 1000)).rows).sort((a, b) => a - b);
    const expectIds = (list: SeededCustomer[]) => ids(list).sort((a, b) => a - b);

    expect(await all("q=gabriela")).toEqual(expectIds(seeded.filter((c) => c.firstName === "Gabriela")));
    expect(await all("q=a12@EXAMPLE")).toEqual(expectIds(seeded.filter((c) => c.email.startsWith("a12@"))));
    const c7 = seeded[7]!;
    // The phone as a person types it, with other separators: matched on digits.
    const phoneDigits = c7.phone.replace(/\D/g, "");
    expect(await all(`q=${encodeURIComponent(phoneDigits.slice(-8, -4) + "-" + phoneDigits.slice(-4))}`)).toContain(c7.id);
    const cpf = c7.taxId;
    const formatted = `${cpf.slice(0, 3)}.${cpf.slice(3, 6)}.${cpf.slice(6, 9)}-${cpf.slice(9)}`;
    expect(await all(`q=${encodeURIComponent(formatted)}`)).toEqual([c7.id]);
    // LIKE wildcards in the search are literal characters.
    expect(await all("q=%25")).toEqual([]);

    expect(await all("hasOrders=no")).toEqual(expectIds(seeded.filter((c) => c.orders === 0)));
    expect(await all("hasOrders=yes")).toEqual(expectIds(seeded.filter((c) => c.orders > 0)));
    expect(await all("consent=subscribed")).toEqual(expectIds(seeded.filter((c) => c.acceptsEmailMarketing)));
    expect(await all("tag=vip")).toEqual(expectIds(seeded.filter((c) => c.tags.includes("vip"))));
    expect(await all("country=us")).toEqual(expectIds(seeded.filter((c) => c.country === "US")));
    expect(await all("country=BR&state=rj&sort=name")).toEqual(expectIds(seeded.filter((c) => c.country === "BR" && c.province === "RJ")));
    const segments = await db.customerStats.groupBy({ by: ["rfmSegment"], where: { storeId: storeA, rfmSegment: { not: null } }, _count: true });
    expect(segments.length).toBeGreaterThan(0);
    for (const s of segments) {
      const members = (await db.customerStats.findMany({ where: { storeId: storeA, rfmSegment: s.rfmSegment }, select: { customerId: true } })).map((m) => m.customerId).sort((a, b) => a - b);
      expect(await all(`segment=${s.rfmSegment}`), s.rfmSegment!).toEqual(members);
      expect(await all(`segment=${s.rfmSegment}&sort=name`), `${s.rfmSegment} by name`).toEqual(members);
    }
    // Filters combine.
    expect(await all("tag=vip&consent=subscribed&hasOrders=yes")).toEqual(expectIds(seeded.filter((c) => c.tags.includes("vip") && c.acceptsEmailMarketing && c.orders > 0)));
  });

  it("answers through the page's loader, and never shows another store's customers", async () => {
    const get = async (search: string) => {
      const res = await fetch(`${app.url}/app/customers${search}${search ? "&" : "?"}_data=routes%2Fapp.customers._index`, { headers: { Cookie: cookie } });
      return { status: res.status, body: (await res.json()) as { rows: { id: number; email: string }[]; next: string | null; issues: { path: string; message: string }[] } };
    };
    const first = await get("");
    expect(first.status).toBe(200);
    expect(first.body.rows).toHaveLength(seeded.length);
    // Store B's customer e-mails start with "b": none of them, whatever the search.
    for (const search of ["", "?q=b0@example", `?q=${other[0]!.taxId}`, "?tag=vip"]) {
      const { body } = await get(search);
      expect(body.rows.every((r) => r.email.startsWith("a")), search).toBe(true);
    }
    expect((await get(`?q=${other[0]!.taxId}`)).body.rows).toEqual([]);
    // A cursor minted on store B's list still only pages through store A's customers.
    const foreign = await searchCustomers(app.services.db, storeB, query("sort=orders"), {}, 2);
    const { body } = await get(`?sort=orders&after=${foreign.next}`);
    expect(body.rows.every((r) => r.email.startsWith("a"))).toBe(true);
  });

  it("refuses bad parameters with a 400 that names them, and shows nothing", async () => {
    const bad = async (search: string) => {
      const res = await fetch(`${app.url}/app/customers?${search}&_data=routes%2Fapp.customers._index`, { headers: { Cookie: cookie } });
      const body = (await res.json()) as { rows: unknown[]; issues: { path: string; message: string }[] };
      expect(res.status, search).toBe(400);
      expect(body.rows).toEqual([]);
      return body.issues.map((i) => i.path);
    };
    expect(await bad("sort=price")).toEqual(["sort"]);
    expect(await bad("segment=vips")).toEqual(["segment"]);
    expect(await bad("country=Brazil")).toEqual(["country"]);
    expect(await bad(`q=${"x".repeat(101)}`)).toEqual(["q"]);
    expect(await bad("after=not-a-cursor")).toEqual(["after"]);
    expect(await bad(`after=${Buffer.from(JSON.stringify({ p: "buyers", k: null, i: -1 })).toString("base64url")}`)).toEqual(["after"]);
    expect(await bad("after=abc&before=abc")).toEqual(["before"]);
    // The HTML page says it in words.
    const html = await (await fetch(`${app.url}/app/customers?sort=price`, { headers: { Cookie: cookie } })).text();
    expect(html).toContain('id="customers-issues"');
  });

  it("matches the search expression to the pg_trgm index", async () => {
    const { db } = app.services;
    const plan = await db.$transaction(async (tx) => {
      // A tiny table is best read whole; without sequential and plain index scans, only an index
      // whose expression is the query's can answer the LIKE (a bitmap scan needs a matching index).
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      await tx.$executeRawUnsafe("SET LOCAL enable_indexscan = off");
      return tx.$queryRaw<{ "QUERY PLAN": string }[]>`EXPLAIN SELECT id FROM "Customer" c WHERE ${SEARCH_DOCUMENT} LIKE ${"%gabriela%"}`;
    });
    expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("Customer_search_trgm_idx");
  });
});
