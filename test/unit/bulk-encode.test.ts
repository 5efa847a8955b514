// The direct bulk encoder (adapters/shopify/bulk-encode.ts) against the reference path it stands in
// for, encodeChange(normalizeBulkRecord(record)): over every record of the simulator's bulk files
// (as our bulk queries select them, and as the renderer writes them whole), and over mutated edge
// cases. Whenever the direct encoder answers, its EncodedChange must be the reference's (text,
// lines, payments, customer, at: deep equality of strings); when the reference throws, the direct
// encoder must leave the record to it (null), so the error stays the reference's.
import { describe, expect, it } from "vitest";
import { readBulkJsonl, BULK_QUERIES, type BulkRecord } from "#adapters/shopify/bulk-operations.server.ts";
import { normalizeBulkRecord } from "#adapters/shopify/normalize-graphql.ts";
import { encodeBulkRecord } from "#adapters/shopify/bulk-encode.ts";
import { createGraphqlStore, type GraphqlBulkRoot } from "#adapters/shopify/simulator/render-graphql.ts";
import { encodeChange, type EncodedChange } from "#app/core/ingest/bulk-load.server.ts";
import { bulkSelection } from "#test/support/bulk-selection.ts";

type Json = Record<string, unknown>;
const ROOTS: GraphqlBulkRoot[] = ["customers", "orders", "products"];

async function recordsOf(lines: Iterable<Json>): Promise<BulkRecord[]> {
  const text = [...lines].map((line) => JSON.stringify(line)).join("\n");
  const records: BulkRecord[] = [];
  async function* source(): AsyncGenerator<string> {
    yield text;
  }
  for await (const record of readBulkJsonl(source())) records.push(record);
  return records;
}

function reference(record: BulkRecord, shopCurrency: string): EncodedChange | Error {
  try {
    return encodeChange(normalizeBulkRecord(record, { shopCurrency }));
  } catch (error) {
    return error as Error;
  }
}

interface Tally {
  direct: number;
  fallback: number;
}

/** Both paths over one record; returns whether the direct encoder took it. */
function compare(record: BulkRecord, shopCurrency: string, label: string): boolean {
  const expected = reference(record, shopCurrency);
  const direct = encodeBulkRecord(record, { shopCurrency });
  if (expected instanceof Error) {
    expect(direct, `${label}: the reference throws (${expected.message}), the direct encoder must not answer`).toBeNull();
    return false;
  }
  if (direct === null) return false;
  expect(direct, label).toStrictEqual(expected);
  return true;
}

describe("direct bulk encoder = reference path, over the simulator's bulk files", () => {
  for (const { seed, customers, currency } of [
    { seed: 7, customers: 500, currency: "BRL" },
    { seed: 23, customers: 150, currency: "JPY" },
    { seed: 41, customers: 150, currency: "KWD" },
  ]) {
    it(`seed ${seed}, ${customers} customers, ${currency}: every record identical, orders and customers all direct`, async () => {
      const store = createGraphqlStore({ seed, customers, shopDomain: "encode.myshopify.com", currency });
      const tally: Record<string, Tally> = {};
      for (const root of ROOTS) {
        const selection = bulkSelection(BULK_QUERIES[root]);
        // As Shopify writes them for our queries, and as the renderer knows them (every field).
        for (const [shape, lines] of [
          ["selected", [...store.bulkLines(root)].map((line) => selection.project(line))],
          ["whole", [...store.bulkLines(root)]],
        ] as const) {
          const t = (tally[`${root} ${shape}`] = { direct: 0, fallback: 0 });
          for (const record of await recordsOf(lines)) {
            if (compare(record, currency, `${root} ${shape} ${String(record.node.id)}`)) t.direct++;
            else t.fallback++;
          }
        }
      }
      for (const shape of ["selected", "whole"]) {
        expect(tally[`orders ${shape}`]!.direct).toBeGreaterThan(customers);
        expect(tally[`orders ${shape}`]!.fallback).toBe(0);
        expect(tally[`customers ${shape}`]!.direct).toBe(customers);
        // Products always take the reference path (a few dozen per store).
        expect(tally[`products ${shape}`]!.direct).toBe(0);
      }
    });
  }
});

// ------------------------------------------------------------------------------------------
// Mutated edge cases
// ------------------------------------------------------------------------------------------

const ODD = ["tab\there", "back\\slash", "new\nline", "cr\rreturn", 'quo"te', "vírgula, acentuação", "emoji 🎉💳", "  padded  ", "ünïcödé ß", "{braces}", "NULL", "\\N"];

type Mutation = [label: string, mutate: (node: Json, children: Json[]) => void, mustBeDirect?: boolean];

const money = (amount: unknown, currencyCode: unknown = "BRL") => ({ shopMoney: { amount, currencyCode } });
const obj = (value: unknown) => value as Json;

const VALID_DATES = ["2024-02-29T23:59:59Z", "1969-12-31T23:59:59Z", "1900-01-01T00:00:00Z", "9999-12-31T23:59:59Z"];

const ORDER_MUTATIONS: Mutation[] = [
  ["nothing changed", () => {}, true],
  ...ODD.map((text): Mutation => [`name ${JSON.stringify(text)}`, (o) => void (o.name = text), true]),
  ...ODD.map((text): Mutation => [`tag ${JSON.stringify(text)}`, (o) => void (o.tags = [text, "plain", text]), true]),
  ["tags as a comma-separated string", (o) => void (o.tags = " a, b ,, c\td "), true],
  ["tags null", (o) => void (o.tags = null), true],
  ["tags a number", (o) => void (o.tags = 7)],
  ["tags with null and blank entries", (o) => void (o.tags = ["x", null, "  ", 3, "y"]), true],
  ["email with tab, upper case, padding", (o) => void (o.email = "  Ana\tSouza@Example.COM "), true],
  ["email blank", (o) => void (o.email = "   "), true],
  ["email missing", (o) => void delete o.email, true],
  ["email a number", (o) => void (o.email = 12)],
  ["phone odd", (o) => void (o.phone = "+55 (11) 9\t1234"), true],
  ["boleto gateway", (o) => void (o.paymentGatewayNames = ["Boleto Bancário"]), true],
  ["Pix gateway", (o) => void (o.paymentGatewayNames = ["Pix"]), true],
  ["Mercado Pago, no hint", (o) => void (o.paymentGatewayNames = ["Mercado Pago"]), true],
  ["Pagar.me with a boleto attribute", (o) => {
    o.paymentGatewayNames = ["Pagar.me"];
    o.customAttributes = [
      { key: "Linha digitável", value: "23793.38128 60000.000003 00000.000400 1 84340000010000" },
      { key: "Boleto URL", value: "https://pagar.me/boleto/\t123" },
      { key: "Vencimento", value: "10/03/2020" },
    ];
  }, true],
  ["Pix copia e cola attribute, due date passed, pending", (o) => {
    o.paymentGatewayNames = ["manual"];
    o.displayFinancialStatus = "PENDING";
    o.customAttributes = [{ key: "Pix copia e cola", value: "00020126\\580014br.gov.bcb.pix" }, { key: "Pix expira em", value: "2020-01-01" }];
  }, true],
  ["paid Pix dated by a SALE transaction", (o) => {
    o.paymentGatewayNames = ["Pix"];
    o.displayFinancialStatus = "PAID";
    o.transactions = [{ id: "gid://shopify/OrderTransaction/99", kind: "SALE", status: "SUCCESS", gateway: "Pix", processedAt: "2025-02-03T04:05:06Z", amountSet: money("10.00") }];
  }, true],
  ["paid boleto dated by a 'pago em' attribute", (o) => {
    o.paymentGatewayNames = ["boleto"];
    o.transactions = [];
    o.customAttributes = [{ key: "pago em", value: "2025-03-10" }];
  }, true],
  ["cancelled boleto", (o) => {
    o.paymentGatewayNames = ["Boleto"];
    o.cancelledAt = "2025-01-02T03:04:05Z";
  }, true],
  ["refunded boleto", (o) => {
    o.paymentGatewayNames = ["Boleto"];
    o.displayFinancialStatus = "REFUNDED";
  }, true],
  ["voided / expired / unknown financial status", (o) => void (o.displayFinancialStatus = "EXPIRED"), true],
  ["financial status odd", (o) => void (o.displayFinancialStatus = "SOMETHING_NEW"), true],
  ["financial status a number", (o) => void (o.displayFinancialStatus = 3), true],
  ["fulfilment status odd", (o) => void (o.displayFulfillmentStatus = "Weird\tOne"), true],
  ["fulfilled", (o) => void (o.displayFulfillmentStatus = "FULFILLED"), true],
  ["source pos", (o) => void (o.sourceName = "pos"), true],
  ["source draft", (o) => void (o.sourceName = "shopify_draft_order"), true],
  ["source marketplace", (o) => void (o.sourceName = "Mercado Livre"), true],
  ["source numeric app id", (o) => void (o.sourceName = 580111), true],
  ["custom attributes: odd values", (o) => {
    o.customAttributes = [{ key: "utm_source", value: "insta\tgram" }, { key: null, value: 3 }, { value: "no key" }, "not an object", { key: "utm medium", value: null }, { key: "UTM Campaign", value: "black\\friday" }];
  }, true],
  ["landing page with UTM and &amp;", (o) => {
    o.customerJourneySummary = { lastVisit: { landingPage: "https://shop.example/p?utm_source=google&amp;utm_medium=cpc&amp;utm_campaign=natal%20%F0%9F%8E%84", referrerUrl: "https://google.com/\tx" } };
  }, true],
  ["landing page relative", (o) => void (o.customerJourneySummary = { firstVisit: { landingPage: "/collections/all?utm_source=x" }, lastVisit: null }), true],
  ["landing page unparsable", (o) => void (o.customerJourneySummary = { lastVisit: { landingPage: "http://[bad/?utm_source=a" } }), true],
  ["landing page blank", (o) => void (o.customerJourneySummary = { lastVisit: { landingPage: "   " } }), true],
  ["no journey", (o) => void (o.customerJourneySummary = null), true],
  ["refund transactions", (o) => {
    o.transactions = [
      { id: "gid://shopify/OrderTransaction/1", kind: "SALE", status: "SUCCESS", gateway: "shopify_payments", amountSet: money("50.00"), paymentDetails: { company: "Visa", bin: "411111" } },
      { id: "gid://shopify/OrderTransaction/2", kind: "REFUND", status: "SUCCESS", gateway: "shopify_payments", amountSet: money("12.345") },
      { id: "gid://shopify/OrderTransaction/3", kind: "REFUND", status: "FAILURE", gateway: "shopify_payments", amountSet: money("99.00") },
      { id: "gid://shopify/OrderTransaction/4", kind: "REFUND", status: " success ", gateway: "shopify_payments", amountSet: money(1.5) },
    ];
  }, true],
  ["refund transaction without an amount", (o) => void (o.transactions = [{ kind: "REFUND", status: "SUCCESS", amountSet: money(null) }])],
  ["refund nodes only", (o) => {
    o.transactions = [];
    o.refunds = [{ id: "gid://shopify/Refund/5", createdAt: "2025-01-01T00:00:00Z", totalRefundedSet: money("7.10") }, { id: null, totalRefundedSet: null }, "x"];
  }, true],
  ["refund node with a bad id", (o) => void ((o.transactions = []), (o.refunds = [{ id: "Refund/5", totalRefundedSet: money("1") }]))],
  ["refund node with a null amount", (o) => void ((o.transactions = []), (o.refunds = [{ totalRefundedSet: money(null) }]))],
  ["transaction with a bad id", (o) => void (o.transactions = [{ id: "nope", kind: "SALE" }])],
  ["transactions not an array", (o) => void (o.transactions = { nodes: [] }), true],
  ["no total", (o) => void delete o.totalPriceSet],
  ["total not a number", (o) => void (o.totalPriceSet = money("abc"))],
  ["total a number", (o) => void (o.totalPriceSet = money(54.825)), true],
  ["total in lower-case currency", (o) => void (o.totalPriceSet = money("10.00", "brl"))],
  ["order in JPY", (o) => void ((o.totalPriceSet = money("1500.4", "JPY")), (o.currencyCode = "JPY")), true],
  ["no shipping / discount / tax", (o) => void (delete o.totalShippingPriceSet, delete o.totalDiscountsSet, (o.totalTaxSet = null)), true],
  ["processedAt blank: placed at createdAt", (o) => void (o.processedAt = ""), true],
  ["no dates at all", (o) => void ((o.processedAt = null), (o.createdAt = null))],
  ["processedAt not a date", (o) => void (o.processedAt = "yesterday")],
  ["processedAt a number", (o) => void (o.processedAt = 1700000000000)],
  ["updatedAt with milliseconds and offset", (o) => void (o.updatedAt = "2025-06-01T12:34:56.789-03:00"), true],
  ["updatedAt missing", (o) => void delete o.updatedAt, true],
  ...["2024-02-29T23:59:59Z", "2023-02-29T00:00:00Z", "2023-04-31T00:00:00Z", "1969-12-31T23:59:59Z", "1900-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-12-31T23:59:60Z", "2024-12-31T24:00:00Z", "2024-00-10T00:00:00Z", "2024-1-10T00:00:00Z", "2024-01-10 00:00:00Z", "2024-01-10T00:00:00z", "+2024-01-10T00:00:00Z"].map(
    // Valid instants must be taken by the direct encoder; the others are read by Date.parse, as the reference reads them.
    (date): Mutation => [`dates written ${date}`, (o) => void ((o.updatedAt = date), (o.processedAt = date), (obj(o.customer).updatedAt = date)), VALID_DATES.includes(date)],
  ),
  ["closed and cancelled", (o) => void ((o.closedAt = "2025-01-01T00:00:00Z"), (o.cancelledAt = "2025-01-01T00:00:00.5Z")), true],
  ["test order", (o) => void (o.test = true), true],
  ["test as a string", (o) => void (o.test = "true"), true],
  ["guest (no customer)", (o) => void (o.customer = null), true],
  ["customer by id only (the bulk query's selection)", (o) => void (o.customer = { id: obj(o.customer).id }), true],
  ["customer by id only, with __typename", (o) => void (o.customer = { __typename: "Customer", id: obj(o.customer).id }), true],
  ["customer by id only, a bad id", (o) => void (o.customer = { id: "Customer/1" })],
  ["customer with id and one more field is a customer, not a reference", (o) => void (o.customer = { id: obj(o.customer).id, firstName: "Ana" }), true],
  ["customer without id", (o) => void delete obj(o.customer).id],
  ["customer with a bad id", (o) => void (obj(o.customer).id = "gid://shopify/Customer/0")],
  ["customer without default address: the order's billing address", (o) => void (obj(o.customer).defaultAddress = null), true],
  ["customer without any address", (o) => void ((obj(o.customer).defaultAddress = null), (o.billingAddress = null), (o.shippingAddress = null)), true],
  ["customer without default address nor billing: shipping", (o) => void ((obj(o.customer).defaultAddress = null), (o.billingAddress = null)), true],
  ["customer without email: the order's", (o) => void (obj(o.customer).defaultEmailAddress = null), true],
  ["customer without phone", (o) => void (obj(o.customer).defaultPhoneNumber = null), true],
  ["customer phone with old flat consent fields", (o) => void (obj(o.customer).defaultPhoneNumber = { phoneNumber: "+5511999999999", marketingState: "SUBSCRIBED", marketingUpdatedAt: "2025-05-05T05:05:05Z" }), true],
  ["customer sms consent without state", (o) => void (obj(o.customer).defaultPhoneNumber = { phoneNumber: "+55", marketingState: "SUBSCRIBED", smsMarketingConsent: { state: null, updatedAt: null } }), true],
  ["customer consent dates", (o) => {
    const c = obj(o.customer);
    c.defaultEmailAddress = { emailAddress: " Mixed@Case.COM", marketingState: "SUBSCRIBED", marketingUpdatedAt: "2025-01-01T00:00:00Z" };
    c.defaultPhoneNumber = { phoneNumber: "+5511", smsMarketingConsent: { state: " subscribed ", updatedAt: "2025-02-01T00:00:00Z" } };
  }, true],
  ["customer consent date invalid", (o) => void (obj(o.customer).defaultEmailAddress = { emailAddress: "a@b.c", marketingState: "SUBSCRIBED", marketingUpdatedAt: "soon" })],
  ["customer without locale: the order's", (o) => void ((obj(o.customer).locale = null), (o.customerLocale = "en-US")), true],
  ["customer names, note and tags with escapes", (o) => {
    const c = obj(o.customer);
    c.firstName = "Zé\tDa";
    c.lastName = null;
    c.note = "line 1\nline 2\\";
    c.tags = ODD;
  }, true],
  ["customer default address with odd fields and no id", (o) => {
    obj(o.customer).defaultAddress = { address1: "Rua \"A\"\t1", address2: "Apto 2\\3", city: "São Paulo", province: "SP", provinceCode: null, country: "Brasil", countryCode: "BR", zip: " 01000-000 ", phone: "" };
  }, true],
  ["customer default address with a bad id", (o) => void (obj(obj(o.customer).defaultAddress).id = "gid://shopify/MailingAddress/x")],
  ["customer updatedAt invalid", (o) => void (obj(o.customer).updatedAt = "2025-13-45T00:00:00Z")],
  ["billing address with a bad id", (o) => void (o.billingAddress = { id: "bad" })],
  ["billing address fields odd", (o) => void (o.billingAddress = { firstName: "Ana\tB", address1: "Rua 🎉", countryCodeV2: "", country: "Brazil" }), true],
  ["line: quantity 0", (_o, lines) => void (lines[0]!.quantity = 0), true],
  ["line: quantity negative", (_o, lines) => void (lines[0]!.quantity = -1)],
  ["line: quantity fractional", (_o, lines) => void (lines[0]!.quantity = 1.5)],
  ["line: quantity a string", (_o, lines) => void (lines[0]!.quantity = "2")],
  ["line: quantity missing", (_o, lines) => void delete lines[0]!.quantity, true],
  ["line: no price", (_o, lines) => void delete lines[0]!.originalUnitPriceSet, true],
  ["line: price in another currency's precision", (_o, lines) => void (lines[0]!.originalUnitPriceSet = money("9.999", "KWD")), true],
  ["line: discount allocations odd", (_o, lines) => void (lines[0]!.discountAllocations = [null, { allocatedAmountSet: money("1.005") }, { allocatedAmountSet: null }, 3]), true],
  ["line: discount allocations not an array", (_o, lines) => void (lines[0]!.discountAllocations = "none"), true],
  ["line: no product or variant", (_o, lines) => void ((lines[0]!.product = null), delete lines[0]!.variant), true],
  ["line: product with a bad id", (_o, lines) => void (lines[0]!.product = { id: "Product/1" })],
  ["line: bad id", (_o, lines) => void (lines[0]!.id = "gid://shopify/LineItem/abc")],
  ["line: title missing (name used), sku odd", (_o, lines) => void (delete lines[0]!.title, (lines[0]!.sku = "SKU\t1\\2")), true],
  ["line: title and name missing", (_o, lines) => void (delete lines[0]!.title, delete lines[0]!.name), true],
  ["line: title with escapes", (_o, lines) => void (lines[0]!.title = ODD.join(" | ")), true],
  ["line of another parent is not this order's", (_o, lines) => void (lines[0]!.__parentId = "gid://shopify/Order/1"), true],
  ["no line items at all", (_o, lines) => void lines.splice(0), true],
  ["line items inline (an ordinary query, not bulk children)", (o, lines) => void (o.lineItems = { nodes: lines.splice(0) })],
];

const CUSTOMER_MUTATIONS: Mutation[] = [
  ["nothing changed", () => {}, true],
  ["no default address: the first saved one", (c) => void (c.defaultAddress = null), true],
  ["saved addresses duplicated and without ids", (c, children) => {
    const copy = { ...children[0], id: undefined };
    children.push({ ...children[0] }, copy, { ...copy });
  }, true],
  ["no addresses at all", (c, children) => void ((c.defaultAddress = null), children.splice(0)), true],
  ["addresses inline", (c, children) => void (c.addressesV2 = { nodes: children.splice(0) })],
  ["tags as a string", (c) => void (c.tags = "vip, atacado\t, 🎉"), true],
  ["state and statistics odd", (c) => void ((c.state = "DISABLED"), (c.statistics = { rfmGroup: 3 })), true],
  ["created date missing", (c) => void (c.createdAt = null), true],
  ["bad id", (c) => void (c.id = "Customer/1")],
];

function baseRecords(records: BulkRecord[], wanted: (node: Json) => boolean, count: number): BulkRecord[] {
  return records.filter((record) => wanted(record.node)).slice(0, count);
}

describe("direct bulk encoder = reference path, over mutated edge cases", () => {
  it("orders: the same EncodedChange (or the record left to the reference path)", async () => {
    const store = createGraphqlStore({ seed: 5, customers: 120, shopDomain: "encode.myshopify.com", currency: "BRL" });
    const selection = bulkSelection(BULK_QUERIES.orders);
    const records = await recordsOf([...store.bulkLines("orders")].map((line) => selection.project(line)));
    // Our query selects the customer as `customer { id }`; an order embedding the whole customer
    // (another selection, an ordinary query) must still encode as the reference does: the bases
    // carry the renderer's whole customer, and one mutation cuts it back to the id.
    const whole = new Map((await recordsOf(store.bulkLines("orders"))).map((record) => [record.node.id, record.node.customer]));
    for (const record of records) record.node.customer = whole.get(record.node.id) ?? null;
    const withLines = (node: Json) => records.some((record) => record.node === node && record.children.length > 0);
    const bases = [
      ...baseRecords(records, (node) => withLines(node) && obj(node).customer !== null && JSON.stringify(node.paymentGatewayNames).includes("shopify_payments"), 2),
      ...baseRecords(records, (node) => withLines(node) && /boleto|pix/i.test(JSON.stringify(node.paymentGatewayNames)), 2),
      ...baseRecords(records, (node) => withLines(node) && Array.isArray(node.refunds) && node.refunds.length > 0, 1),
    ];
    expect(bases.length).toBe(5);
    let cases = 0;
    let direct = 0;
    for (const base of bases) {
      for (const [label, mutate, mustBeDirect] of ORDER_MUTATIONS) {
        const node = structuredClone(base.node);
        const children = structuredClone(base.children);
        mutate(node, children);
        const took = compare({ kind: "order", node, children }, "BRL", `${String(base.node.id)}: ${label}`);
        if (mustBeDirect) expect(took, `${label}: taken by the direct encoder`).toBe(true);
        cases++;
        if (took) direct++;
      }
    }
    expect(cases).toBe(bases.length * ORDER_MUTATIONS.length);
    expect(direct).toBeGreaterThan(cases / 2);
  });

  it("customers: the same EncodedChange (or the record left to the reference path)", async () => {
    const store = createGraphqlStore({ seed: 5, customers: 120, shopDomain: "encode.myshopify.com", currency: "BRL" });
    const selection = bulkSelection(BULK_QUERIES.customers);
    const records = await recordsOf([...store.bulkLines("customers")].map((line) => selection.project(line)));
    const bases = records.filter((record) => record.children.length > 0).slice(0, 3);
    expect(bases.length).toBe(3);
    for (const base of bases) {
      for (const [label, mutate, mustBeDirect] of CUSTOMER_MUTATIONS) {
        const node = structuredClone(base.node);
        const children = structuredClone(base.children);
        mutate(node, children);
        const took = compare({ kind: "customer", node, children }, "BRL", `${String(base.node.id)}: ${label}`);
        if (mustBeDirect) expect(took, `${label}: taken by the direct encoder`).toBe(true);
      }
    }
  });

  it("leaves everything to the reference path when the shop currency is not a plain upper-case code", async () => {
    const store = createGraphqlStore({ seed: 5, customers: 20, shopDomain: "encode.myshopify.com", currency: "BRL" });
    const [record] = await recordsOf(store.bulkLines("orders"));
    expect(encodeBulkRecord(record!, { shopCurrency: "BRL" })).not.toBeNull();
    expect(encodeBulkRecord(record!, { shopCurrency: "brl" })).toBeNull();
    expect(compare(record!, "brl", "lower-case shop currency")).toBe(false);
  });
});
