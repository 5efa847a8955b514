// The customer CSV download through the real app: BOM, separators and headers per language,
// quoting of hostile values, consent filter, erased customers left out, segments scoped to the
// store, and a large export read page by page as the client consumes it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { customerCsvStream } from "#app/core/export/customers-csv.server.ts";
import type { Db } from "#app/db/client.server.ts";

let app: TestApp;
let cookie: string;
let storeA: number;
let storeB: number;
let segmentA: number;
let segmentB: number;

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  const { db } = app.services;
  storeA = (await db.store.create({ data: { platform: "woocommerce", domain: "a.example", name: "A", currency: "BRL" } })).id;
  storeB = (await db.store.create({ data: { platform: "woocommerce", domain: "b.example", name: "B", currency: "USD" } })).id;
  await db.customer.createMany({
    data: [
      { storeId: storeA, platformId: "1", firstName: "Ana; Maria", lastName: 'da "Silva"', email: "ana@example.com", acceptsEmailMarketing: true, note: "x", city: "São\nPaulo", tags: ["vip"] },
      { storeId: storeA, platformId: "2", firstName: "Bruno", email: "bruno@example.com", acceptsEmailMarketing: false },
      { storeId: storeA, platformId: "3", firstName: "Apagado", email: "gone@example.com", acceptsEmailMarketing: true, erasedAt: new Date() },
      { storeId: storeB, platformId: "1", firstName: "Other store", email: "b@example.com", acceptsEmailMarketing: true },
    ],
  });
  const ana = await db.customer.findUniqueOrThrow({ where: { storeId_platformId: { storeId: storeA, platformId: "1" } } });
  await db.customerStats.create({ data: { storeId: storeA, customerId: ana.id, ordersCount: 2, revenueMinor: 123456n, avgOrderMinor: 61728n, rfmSegment: "champions", churnRisk: 0.1 } });
  segmentA = (await db.segment.create({ data: { storeId: storeA, name: "Só Ana", filter: {} } })).id;
  await db.segmentMember.create({ data: { storeId: storeA, segmentId: segmentA, customerId: ana.id } });
  segmentB = (await db.segment.create({ data: { storeId: storeB, name: "B's", filter: {} } })).id;
  const login = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  // The standalone admin picks the first store (A) for this session.
});
afterAll(async () => {
  await app?.close();
});

async function download(query: string) {
  const res = await fetch(`${app.url}/app/export/customers.csv${query}`, { headers: { Cookie: cookie } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe("customer CSV export", () => {
  it("pt-BR: BOM, ';', Portuguese headers, decimal comma, erased customers left out", async () => {
    const { res, bytes } = await download("?locale=pt-BR");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="clientes-\d{4}-\d\d-\d\d\.csv"$/);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString("utf8").slice(1);
    expect(text.split("\r\n")[0]!.startsWith("Id;Id na plataforma;Nome;Sobrenome;E-mail;")).toBe(true);
    const rows = parse(text, { delimiter: ";", columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r["E-mail"])).toEqual(["ana@example.com", "bruno@example.com"]);
    expect(rows[0]).toMatchObject({ Nome: "Ana; Maria", Sobrenome: 'da "Silva"', Cidade: "São\nPaulo", "Total gasto": "1234,56", "Ticket médio": "617,28", Moeda: "BRL", "Segmento RFM": "Campeões", "Aceita e-mail marketing": "sim", Tags: "vip", "Faixa de risco de churn": "Baixo" });
    expect(rows[1]).toMatchObject({ Nome: "Bruno", "Total gasto": "0,00", "Aceita e-mail marketing": "não", "Segmento RFM": "" });
  });

  it("en: ',' and English headers; consent=email keeps only consenting customers", async () => {
    const { bytes } = await download("?locale=en&consent=email");
    const text = bytes.toString("utf8");
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const rows = parse(text.slice(1), { delimiter: ",", columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ "First name": "Ana; Maria", "Total spent": "1234.56", "RFM segment": "Champions", "Accepts email marketing": "yes" });
  });

  it("exports one segment of the store; another store's segment is 404, a bad id is 400", async () => {
    const { bytes } = await download(`?locale=en&segment=${segmentA}`);
    const rows = parse(bytes.toString("utf8").slice(1), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r["Email"])).toEqual(["ana@example.com"]);
    const other = await download(`?segment=${segmentB}`);
    expect(other.res.status).toBe(404);
    const bad = await download("?segment=abc&consent=all");
    expect(bad.res.status).toBe(400);
    const body = JSON.parse(bad.bytes.toString()) as { error: { issues: { path: string }[] } };
    expect(body.error.issues.map((i) => i.path).sort()).toEqual(["consent", "segment"]);
  });

  it("needs a logged-in admin", async () => {
    const res = await fetch(`${app.url}/app/export/customers.csv`, { redirect: "manual" });
    expect([302, 401]).toContain(res.status);
  });

  it("streams a large export page by page, reading the database only as fast as the client reads", async () => {
    const { db } = app.services;
    const big = (await db.store.create({ data: { platform: "woocommerce", domain: "big.example", name: "Big", currency: "BRL" } })).id;
    const N = 30_000;
    await db.$executeRaw`INSERT INTO "Customer" ("storeId", "platformId", email, "firstName", "acceptsEmailMarketing", "updatedAt")
      SELECT ${big}, 'p' || g, 'c' || g || '@example.com', 'Nome ' || g, g % 2 = 0, now() FROM generate_series(1, ${N}) g`;
    let queries = 0;
    const counting = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === "$queryRaw") return (...args: unknown[]) => (queries++, (target.$queryRaw as (...a: unknown[]) => unknown)(...args));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    }) as Db;
    const reader = customerCsvStream(counting, { storeId: big, currency: "BRL" }, "en", 1000).getReader();
    await reader.read(); // header
    await reader.read(); // first page
    await new Promise((r) => setTimeout(r, 50));
    // At most one page read ahead of the consumer, never the whole table.
    expect(queries).toBeLessThanOrEqual(2);
    let lines = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      lines += Buffer.from(value).toString("utf8").split("\r\n").length - 1;
    }
    expect(lines).toBe(N - 1000);
    expect(queries).toBe(N / 1000 + 1); // 30 full pages + the empty one that ends it
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);

  }, 60_000);
});
