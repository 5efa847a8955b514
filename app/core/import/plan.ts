// From a CSV's text to what an import would store: the delimiter and columns are detected, each
// column mapped to a field (auto-detected from pt-BR/English header names, changeable by the
// merchant), every row validated with its line number and reasons, rows grouped into customers
// and orders. Pure: the same plan is shown in the dry run and then written (import.server.ts).
//
// One row = one customer, optionally with one order line. Rows with the same order id are one
// order. The customer's key is the CPF/CNPJ if given, else the email, else the phone, else the
// merchant's own customer code; it becomes Customer.platformId "import:<kind>:<value>", so
// importing the same file again updates the same rows instead of duplicating them.
import { parse } from "csv-parse/sync";
import { createHash } from "node:crypto";
import { z } from "zod";
import { parseBool, parseEmail, parseLocalDate, parseMoney, parsePhone, parseQuantity, parseTaxId, zonedToUtc, type Parsed } from "./values.ts";

export const IMPORT_FIELDS = [
  "customerCode", "email", "phone", "firstName", "lastName", "fullName", "taxId", "birthDate", "gender", "city", "province", "zip", "country",
  "acceptsEmailMarketing", "acceptsSmsMarketing", "tags",
  "orderId", "orderDate", "orderTotal", "channel", "paymentMethod", "productName", "sku", "quantity", "unitPrice", "lineTotal",
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Header names (accents, case, spaces and punctuation ignored) that map to a field. */
const SYNONYMS: Record<ImportField, string[]> = {
  customerCode: ["codigocliente", "codcliente", "idcliente", "clienteid", "customerid", "customercode", "customer"],
  email: ["email", "e-mail", "emailaddress", "correioeletronico"],
  phone: ["telefone", "celular", "fone", "whatsapp", "phone", "mobile", "tel"],
  firstName: ["nome", "primeironome", "firstname", "givenname"],
  lastName: ["sobrenome", "ultimonome", "lastname", "surname", "familyname"],
  fullName: ["nomecompleto", "cliente", "nomecliente", "fullname", "name", "customername"],
  taxId: ["cpf", "cnpj", "cpfcnpj", "documento", "taxid", "document"],
  birthDate: ["datadenascimento", "nascimento", "datanascimento", "aniversario", "birthdate", "birthday", "dateofbirth"],
  gender: ["genero", "sexo", "gender"],
  city: ["cidade", "municipio", "city"],
  province: ["estado", "uf", "state", "province"],
  zip: ["cep", "zip", "zipcode", "postalcode", "codigopostal"],
  country: ["pais", "country"],
  acceptsEmailMarketing: ["aceitaemail", "aceitaemailmarketing", "optinemail", "newsletter", "acceptsemailmarketing", "emailoptin", "acceptsemail"],
  acceptsSmsMarketing: ["aceitasms", "optinsms", "acceptssmsmarketing", "smsoptin", "acceptssms"],
  tags: ["tags", "etiquetas", "marcadores"],
  orderId: ["pedido", "numeropedido", "npedido", "nopedido", "venda", "numerovenda", "cupom", "orderid", "ordernumber", "order", "receipt"],
  orderDate: ["data", "datapedido", "datavenda", "datadacompra", "datacompra", "date", "orderdate", "purchasedate"],
  orderTotal: ["total", "totalpedido", "valortotal", "totalvenda", "valor", "ordertotal", "amount"],
  channel: ["canal", "channel", "origem"],
  paymentMethod: ["pagamento", "formadepagamento", "formapagamento", "meiodepagamento", "payment", "paymentmethod"],
  productName: ["produto", "nomeproduto", "descricao", "item", "product", "productname", "title"],
  sku: ["sku", "codigoproduto", "codproduto", "referencia", "ref", "productcode"],
  quantity: ["quantidade", "qtd", "qtde", "quant", "quantity", "qty"],
  unitPrice: ["precounitario", "valorunitario", "preco", "unitprice", "price"],
  lineTotal: ["totalitem", "valoritem", "subtotal", "linetotal", "itemtotal"],
};

const normalise = (h: string) =>
  h.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]/g, "");
const LOOKUP = new Map<string, ImportField>(Object.entries(SYNONYMS).flatMap(([field, names]) => names.map((n) => [normalise(n), field as ImportField])));

/** Column index → field, or null for a column to ignore. */
export type ColumnMapping = (ImportField | null)[];

export function detectMapping(headers: string[]): ColumnMapping {
  const used = new Set<ImportField>();
  return headers.map((h) => {
    const field = LOOKUP.get(normalise(h));
    if (!field || used.has(field)) return null;
    used.add(field);
    return field;
  });
}

export const mappingSchema = z
  .array(z.enum(IMPORT_FIELDS).nullable())
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.forEach((f, i) => {
      if (f && seen.has(f)) ctx.addIssue({ code: "custom", path: [i], message: `field ${f} is mapped twice` });
      if (f) seen.add(f);
    });
  });

export interface ParsedCsv {
  delimiter: string;
  headers: string[];
  /** Each data row with its 1-based line number in the file. */
  rows: { line: number; cells: string[] }[];
}

export const MAX_IMPORT_ROWS = 50_000;

/** Detects the delimiter from the header line (";", "," or tab, whichever splits it most). */
export function readCsv(text: string): Parsed<ParsedCsv> {
  const body = text.replace(/^\uFEFF/, "");
  const firstLine = body.split(/\r?\n/, 1)[0] ?? "";
  const delimiter = [";", ",", "\t"].map((d) => [d, firstLine.split(d).length] as const).sort((a, b) => b[1] - a[1])[0]![0];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(body, { delimiter, relax_column_count: true, skip_empty_lines: true, info: true, trim: true }) as unknown as typeof records;
  } catch (e) {
    return { ok: false, reason: `unreadableCsv: ${(e as Error).message}` };
  }
  if (records.length < 2) return { ok: false, reason: "noRows" };
  if (records.length - 1 > MAX_IMPORT_ROWS) return { ok: false, reason: "tooManyRows" };
  const [head, ...rest] = records;
  return { ok: true, value: { delimiter, headers: head!.record, rows: rest.map((r) => ({ line: r.info.lines, cells: r.record })) } };
}

export interface RowError {
  line: number;
  field: ImportField | null;
  value: string;
  reason: string;
}

export interface PlannedCustomer {
  platformId: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  taxId: string | null;
  birthDate: Date | null;
  gender: string | null;
  city: string | null;
  province: string | null;
  zip: string | null;
  country: string | null;
  acceptsEmailMarketing: boolean | null;
  acceptsSmsMarketing: boolean | null;
  tags: string[];
  lines: number[];
}

export interface PlannedLine {
  title: string;
  sku: string | null;
  quantity: number;
  unitPriceMinor: bigint;
  totalMinor: bigint;
}

export interface PlannedOrder {
  platformId: string;
  name: string | null;
  customerPlatformId: string;
  placedAt: Date;
  totalMinor: bigint;
  channel: "pos" | "web" | "marketplace" | "other";
  paymentMethod: "card" | "boleto" | "pix" | "other";
  lines: PlannedLine[];
  rowLines: number[];
}

export interface ImportPlan {
  customers: PlannedCustomer[];
  orders: PlannedOrder[];
  errors: RowError[];
  rows: number;
  /** Rows that passed validation (all of them when errors is empty). */
  validRows: number;
}

export interface PlanOptions {
  currency: string;
  timezone: string;
  /** Keep the valid rows when others fail (an order with any bad row is left out whole). */
  skipInvalid?: boolean;
}

function channelOf(text: string): PlannedOrder["channel"] | null {
  const s = normalise(text);
  if (!s || ["loja", "lojafisica", "pdv", "pos", "balcao", "store", "instore", "fisica"].includes(s)) return "pos";
  if (["site", "web", "online", "ecommerce", "lojavirtual"].includes(s)) return "web";
  if (["marketplace", "mercadolivre", "shopee", "amazon", "magalu"].includes(s)) return "marketplace";
  if (["outro", "outros", "other", "telefone", "whatsapp", "instagram"].includes(s)) return "other";
  return null;
}

function paymentOf(text: string): PlannedOrder["paymentMethod"] {
  const s = normalise(text);
  if (s.includes("pix")) return "pix";
  if (s.includes("boleto")) return "boleto";
  if (s.includes("cart") || s.includes("card") || s.includes("credito") || s.includes("debito") || s.includes("credit") || s.includes("debit")) return "card";
  return "other";
}

const dateOnly = (d: { year: number; month: number; day: number }) => new Date(Date.UTC(d.year, d.month - 1, d.day));

/** Validate every row and group them; nothing here touches the database. */
export function planImport(csv: ParsedCsv, mapping: ColumnMapping, opts: PlanOptions): ImportPlan {
  const errors: RowError[] = [];
  const customers = new Map<string, PlannedCustomer>();
  const orders = new Map<string, PlannedOrder>();
  const badOrders = new Set<string>();
  const col = new Map<ImportField, number>();
  mapping.forEach((f, i) => f && col.set(f, i));
  const hasOrders = col.has("orderId") || col.has("orderTotal") || col.has("productName");
  if (!col.has("email") && !col.has("phone") && !col.has("taxId") && !col.has("customerCode")) {
    errors.push({ line: 1, field: null, value: "", reason: "noCustomerKey" });
  }
  if (hasOrders && !col.has("orderDate")) errors.push({ line: 1, field: "orderDate", value: "", reason: "orderDateColumnMissing" });
  if (errors.length) return { customers: [], orders: [], errors, rows: csv.rows.length, validRows: 0 };

  let validRows = 0;
  const rowOrderKey = new Map<number, string>();
  for (const { line, cells } of csv.rows) {
    const rowErrors: RowError[] = [];
    const raw = (f: ImportField) => (col.has(f) ? (cells[col.get(f)!] ?? "").trim() : "");
    const opt = <T>(f: ImportField, parser: (s: string) => Parsed<T>): T | null => {
      const s = raw(f);
      if (!s) return null;
      const r = parser(s);
      if (r.ok) return r.value;
      rowErrors.push({ line, field: f, value: s, reason: r.reason });
      return null;
    };
    const email = opt("email", parseEmail);
    const phone = opt("phone", parsePhone);
    const taxId = opt("taxId", parseTaxId);
    const birth = opt("birthDate", parseLocalDate);
    const acceptsEmail = opt("acceptsEmailMarketing", parseBool);
    const acceptsSms = opt("acceptsSmsMarketing", parseBool);
    const code = raw("customerCode");
    const key = taxId ? `cpf:${taxId}` : email ? `email:${email}` : phone ? `phone:${phone}` : code ? `code:${code}` : null;
    if (!key && !rowErrors.length) rowErrors.push({ line, field: null, value: "", reason: "noCustomerKey" });
    let first = raw("firstName") || null;
    let last = raw("lastName") || null;
    const full = raw("fullName");
    // A lone "Nome" column usually holds the whole name in Brazilian spreadsheets.
    const whole = full && !first && !last ? full : !col.has("lastName") && first?.includes(" ") ? first : null;
    if (whole) {
      const parts = whole.split(/\s+/);
      first = parts[0] ?? null;
      last = parts.slice(1).join(" ") || null;
    }

    let orderKey: string | null = null;
    let planned: { date: Date; total: bigint | null; line: PlannedLine | null; channel: PlannedOrder["channel"]; payment: PlannedOrder["paymentMethod"]; name: string | null } | null = null;
    const orderId = raw("orderId");
    if (hasOrders && (orderId || raw("orderTotal") || raw("productName"))) {
      const dateText = raw("orderDate");
      const when = dateText ? opt("orderDate", parseLocalDate) : null;
      if (!dateText) rowErrors.push({ line, field: "orderDate", value: "", reason: "required" });
      const money = (f: ImportField) => opt(f, (s) => parseMoney(s, opts.currency));
      const total = money("orderTotal");
      const quantity = opt("quantity", parseQuantity) ?? 1;
      const unit = money("unitPrice");
      const lineTotal = money("lineTotal");
      const title = raw("productName");
      const channelText = raw("channel");
      const channel = channelOf(channelText);
      if (channel === null) rowErrors.push({ line, field: "channel", value: channelText, reason: "unknownChannel" });
      if (total !== null && total < 0n) rowErrors.push({ line, field: "orderTotal", value: raw("orderTotal"), reason: "negative" });
      const lineAmount = lineTotal ?? (unit !== null ? unit * BigInt(quantity) : null);
      if (title && lineAmount === null && total === null && !raw("unitPrice") && !raw("lineTotal")) rowErrors.push({ line, field: "unitPrice", value: "", reason: "priceMissing" });
      if (!title && total === null) rowErrors.push({ line, field: "orderTotal", value: "", reason: "required" });
      if (when && key) {
        const placedAt = when.hasTime ? zonedToUtc(when, opts.timezone) : zonedToUtc({ ...when, hour: 12, minute: 0 }, opts.timezone);
        orderKey = orderId
          ? `import:order:${orderId}`
          : `import:order:${createHash("sha256").update(`${key}|${dateText}|${raw("orderTotal")}|${title}`).digest("hex").slice(0, 24)}`;
        planned = {
          date: placedAt,
          total,
          line: title ? { title, sku: raw("sku") || null, quantity, unitPriceMinor: unit ?? (lineAmount ?? 0n) / BigInt(quantity), totalMinor: lineAmount ?? total ?? 0n } : null,
          channel: channel ?? "pos",
          payment: paymentOf(raw("paymentMethod")),
          name: orderId || null,
        };
      }
    }
    if (orderKey) {
      const existing = orders.get(orderKey);
      const customerPid = `import:${key}`;
      if (existing && existing.customerPlatformId !== customerPid) rowErrors.push({ line, field: "orderId", value: orderId, reason: "orderOfAnotherCustomer" });
      if (existing && planned && planned.total !== null && existing.totalMinor !== planned.total && existing.rowLines.length) {
        rowErrors.push({ line, field: "orderTotal", value: raw("orderTotal"), reason: "orderTotalDiffers" });
      }
    }

    if (rowErrors.length) {
      errors.push(...rowErrors);
      if (orderKey) badOrders.add(orderKey);
      continue;
    }
    validRows++;
    const platformId = `import:${key!}`;
    const c =
      customers.get(platformId) ??
      ({ platformId, email: null, phone: null, firstName: null, lastName: null, taxId: null, birthDate: null, gender: null, city: null, province: null, zip: null, country: null, acceptsEmailMarketing: null, acceptsSmsMarketing: null, tags: [], lines: [] } satisfies PlannedCustomer);
    // Later rows fill what earlier rows left empty; they never blank a value.
    c.email ??= email;
    c.phone ??= phone;
    c.taxId ??= taxId;
    c.firstName ??= first;
    c.lastName ??= last;
    c.birthDate ??= birth ? dateOnly(birth) : null;
    c.gender ??= raw("gender") || null;
    c.city ??= raw("city") || null;
    c.province ??= raw("province").toUpperCase() || null;
    c.zip ??= raw("zip") || null;
    c.country ??= raw("country").toUpperCase() || null;
    c.acceptsEmailMarketing ??= acceptsEmail;
    c.acceptsSmsMarketing ??= acceptsSms;
    for (const tag of raw("tags").split(/[,;|]/).map((t) => t.trim()).filter(Boolean)) if (!c.tags.includes(tag)) c.tags.push(tag);
    c.lines.push(line);
    customers.set(platformId, c);
    if (orderKey && planned) {
      rowOrderKey.set(line, orderKey);
      const o = orders.get(orderKey) ?? { platformId: orderKey, name: planned.name, customerPlatformId: platformId, placedAt: planned.date, totalMinor: planned.total ?? 0n, channel: planned.channel, paymentMethod: planned.payment, lines: [], rowLines: [] };
      if (planned.line) o.lines.push(planned.line);
      o.rowLines.push(line);
      if (planned.total !== null) o.totalMinor = planned.total;
      orders.set(orderKey, o);
    }
  }
  // An order's total, when no row gave one, is the sum of its lines.
  for (const o of orders.values()) if (o.totalMinor === 0n && o.lines.length) o.totalMinor = o.lines.reduce((a, l) => a + l.totalMinor, 0n);
  // An order with any bad row is left out whole (never half an order), with its rows reported.
  for (const key of badOrders) {
    const o = orders.get(key);
    if (!o) continue;
    for (const l of o.rowLines) errors.push({ line: l, field: "orderId", value: o.name ?? "", reason: "orderHasInvalidRows" });
    validRows -= o.rowLines.length;
    orders.delete(key);
  }
  errors.sort((a, b) => a.line - b.line);
  const keep = opts.skipInvalid || errors.length === 0;
  const usedCustomers = new Set([...orders.values()].map((o) => o.customerPlatformId));
  return {
    customers: keep ? [...customers.values()].filter((c) => usedCustomers.has(c.platformId) || c.lines.some((l) => !rowOrderKey.has(l) || orders.has(rowOrderKey.get(l)!))) : [],
    orders: keep ? [...orders.values()] : [],
    errors,
    rows: csv.rows.length,
    validRows,
  };
}
