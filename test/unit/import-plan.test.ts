import { describe, expect, it } from "vitest";
import { detectMapping, mappingSchema, planImport, readCsv } from "#app/core/import/plan.ts";
import { parseBool, parseLocalDate, parseMoney, parsePhone, parseTaxId, zonedToUtc } from "#app/core/import/values.ts";

const opts = { currency: "BRL", timezone: "America/Sao_Paulo" };
const csv = (text: string) => {
  const r = readCsv(text);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};
const ok = <T>(r: { ok: true; value: T } | { ok: false; reason: string }) => (r.ok ? r.value : `ERR:${r.reason}`);

describe("import values", () => {
  it("reads Brazilian and English money exactly", () => {
    expect(ok(parseMoney("1.234,56", "BRL"))).toBe(123456n);
    expect(ok(parseMoney("R$ 1.234,56", "BRL"))).toBe(123456n);
    expect(ok(parseMoney("1,234.56", "BRL"))).toBe(123456n);
    expect(ok(parseMoney("10,5", "BRL"))).toBe(1050n);
    expect(ok(parseMoney("1.234", "BRL"))).toBe(123400n);
    expect(ok(parseMoney("1234", "BRL"))).toBe(123400n);
    expect(ok(parseMoney("-5,00", "BRL"))).toBe(-500n);
    expect(ok(parseMoney("500", "JPY"))).toBe(500n);
    expect(ok(parseMoney("dez reais", "BRL"))).toBe("ERR:notMoney");
  });

  it("reads dd/mm/yyyy and ISO dates, refusing impossible ones", () => {
    expect(ok(parseLocalDate("31/01/2026"))).toMatchObject({ year: 2026, month: 1, day: 31, hasTime: false });
    expect(ok(parseLocalDate("05/03/26 14:30"))).toMatchObject({ year: 2026, month: 3, day: 5, hour: 14, minute: 30, hasTime: true });
    expect(ok(parseLocalDate("2026-02-28"))).toMatchObject({ year: 2026, month: 2, day: 28 });
    expect(ok(parseLocalDate("30/02/2026"))).toBe("ERR:invalidDate");
    expect(ok(parseLocalDate("02/30/2026"))).toBe("ERR:invalidDate");
    expect(ok(parseLocalDate("ontem"))).toBe("ERR:notDate");
    // São Paulo is UTC−3 (no DST since 2019).
    expect(zonedToUtc({ year: 2026, month: 1, day: 31, hour: 12, minute: 0, hasTime: true }, "America/Sao_Paulo").toISOString()).toBe("2026-01-31T15:00:00.000Z");
    expect(zonedToUtc({ year: 2026, month: 7, day: 1, hour: 9, minute: 30, hasTime: true }, "Europe/Lisbon").toISOString()).toBe("2026-07-01T08:30:00.000Z");
  });

  it("checks CPF/CNPJ digits, phones and yes/no", () => {
    expect(ok(parseTaxId("529.982.247-25"))).toBe("52998224725");
    expect(ok(parseTaxId("529.982.247-24"))).toBe("ERR:invalidCpf");
    expect(ok(parseTaxId("111.111.111-11"))).toBe("ERR:invalidCpf");
    expect(ok(parseTaxId("11.222.333/0001-81"))).toBe("11222333000181");
    expect(ok(parseTaxId("123"))).toBe("ERR:invalidTaxId");
    expect(ok(parsePhone("(11) 98765-4321"))).toBe("+5511987654321");
    expect(ok(parsePhone("+1 415 555 0100"))).toBe("+14155550100");
    expect(ok(parseBool("Sim"))).toBe(true);
    expect(ok(parseBool("não"))).toBe(false);
    expect(ok(parseBool("talvez"))).toBe("ERR:notYesNo");
  });
});

describe("import plan", () => {
  it("detects the delimiter and maps pt-BR and English headers", () => {
    const pt = csv("\uFEFFNome;Sobrenome;E-mail;CPF;Telefone;Data de nascimento;Pedido;Data;Produto;Qtd;Preço unitário;Total;Forma de pagamento;Coluna X\nx\n");
    expect(pt.delimiter).toBe(";");
    expect(detectMapping(pt.headers)).toEqual(["firstName", "lastName", "email", "taxId", "phone", "birthDate", "orderId", "orderDate", "productName", "quantity", "unitPrice", "orderTotal", "paymentMethod", null]);
    const en = csv("First name,Last name,Email,Phone,Order ID,Order date,Product,Quantity,Unit price,Accepts email marketing\nx\n");
    expect(en.delimiter).toBe(",");
    expect(detectMapping(en.headers)).toEqual(["firstName", "lastName", "email", "phone", "orderId", "orderDate", "productName", "quantity", "unitPrice", "acceptsEmailMarketing"]);
    expect(mappingSchema.safeParse(["email", "email"]).error?.issues[0]?.path).toEqual([1]);
  });

  const FILE = [
    "Nome;E-mail;CPF;Pedido;Data;Produto;Qtd;Preço unitário;Pagamento;Aceita e-mail",
    "Ana Souza;ana@example.com;529.982.247-25;V1;31/01/2026;Caderno;2;12,50;Pix;sim",
    "Ana Souza;ana@example.com;529.982.247-25;V1;31/01/2026;Caneta;1;3,00;Pix;sim",
    "Bruno;bruno@example;;V2;01/02/2026;Lápis;1;1,00;Dinheiro;não",
    "Carla;carla@example.com;;V3;32/01/2026;Borracha;1;2,00;Cartão;não",
    "Davi;davi@example.com;;;;;;;;sim",
  ].join("\n");

  it("reports every broken row with its line and reason, and plans nothing by default", () => {
    const file = csv(FILE);
    const plan = planImport(file, detectMapping(file.headers), opts);
    expect(plan.errors).toEqual([
      { line: 4, field: "email", value: "bruno@example", reason: "invalidEmail" },
      { line: 5, field: "orderDate", value: "32/01/2026", reason: "invalidDate" },
    ]);
    expect(plan.rows).toBe(5);
    expect(plan.validRows).toBe(3);
    expect(plan.customers).toEqual([]);
    expect(plan.orders).toEqual([]);
  });

  it("with skipInvalid keeps the valid rows, grouping lines into orders", () => {
    const file = csv(FILE);
    const plan = planImport(file, detectMapping(file.headers), { ...opts, skipInvalid: true });
    expect(plan.customers.map((c) => c.platformId)).toEqual(["import:cpf:52998224725", "import:email:davi@example.com"]);
    expect(plan.customers[0]).toMatchObject({ firstName: "Ana", lastName: "Souza", email: "ana@example.com", taxId: "52998224725", acceptsEmailMarketing: true, lines: [2, 3] });
    expect(plan.orders).toHaveLength(1);
    expect(plan.orders[0]).toMatchObject({ platformId: "import:order:V1", name: "V1", customerPlatformId: "import:cpf:52998224725", totalMinor: 2800n, paymentMethod: "pix", channel: "pos" });
    expect(plan.orders[0]!.placedAt.toISOString()).toBe("2026-01-31T15:00:00.000Z");
    expect(plan.orders[0]!.lines).toEqual([
      { title: "Caderno", sku: null, quantity: 2, unitPriceMinor: 1250n, totalMinor: 2500n },
      { title: "Caneta", sku: null, quantity: 1, unitPriceMinor: 300n, totalMinor: 300n },
    ]);
  });

  it("never keeps half an order: one bad row drops the whole order", () => {
    const file = csv(["Email;Pedido;Data;Produto;Preço", "a@example.com;P1;01/01/2026;X;10,00", "a@example.com;P1;01/01/2026;Y;abc"].join("\n"));
    const plan = planImport(file, detectMapping(file.headers), { ...opts, skipInvalid: true });
    expect(plan.orders).toEqual([]);
    expect(plan.errors.map((e) => [e.line, e.reason])).toEqual([
      [2, "orderHasInvalidRows"],
      [3, "notMoney"],
    ]);
  });

  it("refuses a file without any column that identifies a customer", () => {
    const file = csv("Produto;Qtd\nX;1\n");
    expect(planImport(file, detectMapping(file.headers), opts).errors).toEqual([
      { line: 1, field: null, value: "", reason: "noCustomerKey" },
      { line: 1, field: "orderDate", value: "", reason: "orderDateColumnMissing" },
    ]);
    expect(readCsv("Email\n").ok).toBe(false);
  });
});
