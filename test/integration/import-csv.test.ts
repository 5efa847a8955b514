// The import page's action through the real app: a dry run that stores nothing and reports broken
// rows by line, refusal of a file with errors unless "only valid rows" is chosen, one transaction
// (a failure half-way leaves nothing), stats refreshed and a rescore queued, idempotent re-import,
// the size limit, and other stores untouched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { detectMapping, planImport, readCsv } from "#app/core/import/plan.ts";
import { commitImport } from "#app/core/import/import.server.ts";

let app: TestApp;
let cookie: string;
let storeId: number;
let otherStore: number;

const FILE = [
  "Nome;E-mail;CPF;Telefone;Pedido;Data;Produto;Qtd;Preço unitário;Pagamento;Aceita e-mail",
  "Ana Souza;ana@example.com;529.982.247-25;(11) 98765-4321;V1;31/01/2026;Caderno;2;12,50;Pix;sim",
  "Ana Souza;ana@example.com;529.982.247-25;;V1;31/01/2026;Caneta;1;3,00;Pix;sim",
  "Bruno Lima;bruno@example;;;V2;01/02/2026;Lápis;1;1,00;Dinheiro;não",
  "Carla Reis;carla@example.com;;;V3;01/02/2026;Borracha;1;1.234,56;Cartão de crédito;não",
  "Davi;davi@example.com;;;;;;;;;sim",
].join("\r\n");

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  const { db } = app.services;
  storeId = (await db.store.create({ data: { platform: "woocommerce", domain: "imp.example", name: "Loja", currency: "BRL", timezone: "America/Sao_Paulo" } })).id;
  otherStore = (await db.store.create({ data: { platform: "woocommerce", domain: "other.example", name: "Outra", currency: "BRL" } })).id;
  await db.customer.create({ data: { storeId: otherStore, platformId: "import:cpf:52998224725", email: "ana@other.example", firstName: "Other" } });
  const login = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = login.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(async () => {
  await app?.close();
});

interface Result {
  ok: boolean;
  error?: string;
  step?: string;
  rows: number;
  validRows: number;
  customers: number;
  orders: number;
  errors: { line: number; field: string; reason: string }[];
  importable: boolean;
  imported: { customersCreated: number; customersUpdated: number; ordersCreated: number; ordersUpdated: number; lines: number } | null;
}

async function post(fields: Record<string, string>, file: string | Blob = FILE): Promise<Result> {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  body.set("file", file instanceof Blob ? file : new Blob([file], { type: "text/csv" }), "vendas.csv");
  const res = await fetch(`${app.url}/app/import?_data=routes%2Fapp.import`, { method: "POST", body, headers: { Cookie: cookie } });
  expect(res.status).toBe(200);
  return (await res.json()) as Result;
}

const counts = async (id = storeId) => {
  const { db } = app.services;
  return { customers: await db.customer.count({ where: { storeId: id } }), orders: await db.order.count({ where: { storeId: id } }), lines: await db.orderLine.count({ where: { storeId: id } }) };
};

describe("CSV import", () => {
  it("dry run: counts, broken rows by line and reason, nothing stored", async () => {
    const r = await post({ intent: "preview" });
    expect(r).toMatchObject({ ok: true, step: "preview", rows: 5, validRows: 4, importable: false, customers: 0, imported: null });
    expect(r.errors.map((e) => [e.line, e.field, e.reason])).toEqual([[4, "email", "invalidEmail"]]);
    expect(await counts()).toEqual({ customers: 0, orders: 0, lines: 0 });
    const lenient = await post({ intent: "preview", skipInvalid: "true" });
    expect(lenient).toMatchObject({ importable: true, customers: 3, orders: 2 });
    expect(await counts()).toEqual({ customers: 0, orders: 0, lines: 0 });
  });

  it("refuses to import a file with broken rows unless only valid rows are chosen", async () => {
    expect(await post({ intent: "import" })).toMatchObject({ ok: false, error: "hasErrors" });
    expect(await counts()).toEqual({ customers: 0, orders: 0, lines: 0 });
  });

  it("imports the valid rows in one go, refreshes stats and queues a rescore", async () => {
    const r = await post({ intent: "import", skipInvalid: "true" });
    expect(r.imported).toEqual({ customersCreated: 3, customersUpdated: 0, ordersCreated: 2, ordersUpdated: 0, lines: 3 });
    expect(await counts()).toEqual({ customers: 3, orders: 2, lines: 3 });
    const { db } = app.services;
    const ana = await db.customer.findUniqueOrThrow({ where: { storeId_platformId: { storeId, platformId: "import:cpf:52998224725" } }, include: { stats: true } });
    expect(ana).toMatchObject({ firstName: "Ana", lastName: "Souza", email: "ana@example.com", phone: "+5511987654321", taxId: "52998224725", acceptsEmailMarketing: true });
    expect(ana.stats).toMatchObject({ ordersCount: 1, revenueMinor: 2800n });
    const order = await db.order.findUniqueOrThrow({ where: { storeId_platformId: { storeId, platformId: "import:order:V1" } } });
    expect(order).toMatchObject({ channel: "pos", paymentMethod: "pix", financialStatus: "paid", totalMinor: 2800n, currency: "BRL", name: "V1" });
    expect(order.placedAt.toISOString()).toBe("2026-01-31T15:00:00.000Z");
    const carla = await db.order.findUniqueOrThrow({ where: { storeId_platformId: { storeId, platformId: "import:order:V3" } } });
    expect(carla).toMatchObject({ totalMinor: 123456n, paymentMethod: "card" });
    const jobs = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'analytics.rescore' AND data->>'storeId' = ${String(storeId)}`;
    expect(jobs[0]!.n).toBeGreaterThanOrEqual(1);
    // The other store's customer with the same key is untouched.
    expect(await db.customer.findUniqueOrThrow({ where: { storeId_platformId: { storeId: otherStore, platformId: "import:cpf:52998224725" } } })).toMatchObject({ email: "ana@other.example", firstName: "Other" });
    expect(await counts(otherStore)).toEqual({ customers: 1, orders: 0, lines: 0 });
  });

  it("re-importing the same file updates the same rows: no duplicates", async () => {
    const r = await post({ intent: "import", skipInvalid: "true" });
    expect(r.imported).toEqual({ customersCreated: 0, customersUpdated: 3, ordersCreated: 0, ordersUpdated: 2, lines: 3 });
    expect(await counts()).toEqual({ customers: 3, orders: 2, lines: 3 });
    const ana = await app.services.db.customerStats.findFirstOrThrow({ where: { storeId, customer: { platformId: "import:cpf:52998224725" } } });
    expect(ana).toMatchObject({ ordersCount: 1, revenueMinor: 2800n });
  });

  it("uses the merchant's column mapping and rejects a bad one with its path", async () => {
    const bad = await post({ intent: "preview", mapping: JSON.stringify(["email", "email"]) });
    expect(bad).toMatchObject({ ok: false, error: "badMapping" });
    const mapping = detectMapping(FILE.split("\r\n")[0]!.split(";"));
    mapping[1] = null; // ignore the email column: Davi (email only) has nothing left to identify him
    const r = await post({ intent: "preview", mapping: JSON.stringify(mapping) });
    expect(r.errors.map((e) => [e.line, e.reason])).toEqual([
      [4, "noCustomerKey"],
      [5, "noCustomerKey"],
      [6, "noCustomerKey"],
    ]);
  });

  it("refuses files over the size limit and files without rows", async () => {
    const big = new Blob(["Email\n", "x".repeat(5 * 1024 * 1024 + 10)]);
    expect(await post({ intent: "preview" }, big)).toMatchObject({ ok: false, error: "tooLarge" });
    expect(await post({ intent: "preview" }, "Email\n")).toMatchObject({ ok: false, error: "noRows" });
  });

  it("leaves nothing behind when the database refuses part of the import", async () => {
    const csv = readCsv(["Email;Pedido;Data;Produto;Preço", "new1@example.com;Z1;01/03/2026;X;10,00", "new2@example.com;Z2;01/03/2026;Y;20,00"].join("\n"));
    if (!csv.ok) throw new Error(csv.reason);
    const plan = planImport(csv.value, detectMapping(csv.value.headers), { currency: "BRL", timezone: "America/Sao_Paulo" });
    // The second order's amount does not fit a BIGINT: PostgreSQL refuses it after the customers
    // and the first order were written in the same transaction.
    plan.orders[1]!.totalMinor = 2n ** 70n;
    const before = await counts();
    await expect(commitImport(app.services.db, { id: storeId, currency: "BRL" }, plan)).rejects.toThrow();
    expect(await counts()).toEqual(before);
    expect(await app.services.db.customer.count({ where: { storeId, email: { in: ["new1@example.com", "new2@example.com"] } } })).toBe(0);
  });
});
