// Bulk records (Admin GraphQL nodes of a bulk result file) → the COPY text the bulk loader takes
// (EncodedChange), directly: no REST-shaped body (normalize-graphql.ts), no NormalizedOrder, no
// column getters. The backfill parse thread runs this for every order and customer; it was the
// REST body + webhook normaliser + encoder (three object graphs per order, all garbage at once).
//
// The rules are NOT re-implemented: money is toMinor's, payment method detectPaymentMethod's,
// financial status mapFinancialStatus's, channel mapChannel's, UTM parseUtm/noteValue's, tags
// splitTags', text trimming optString's, the boleto/Pix payment boletoOrPixPayment's (all from
// normalize.ts); gids, landing pages, fulfilment status and transactions are normalize-graphql's.
// What is here is the plumbing that normalize-graphql.ts + normalizeShopifyWebhook + encodeChange
// do, field for field, written straight into COPY text with copy-text's encoders.
//
// The reference path stays the reference: anything this encoder does not recognise (a field of
// an unexpected type, a shape it was not written for, any error, a product, a staging layout it
// does not know) makes it answer null, and the caller runs the reference path for that record,
// which then gives the reference result or the reference error. test/unit/bulk-encode.test.ts
// runs both over every record of the simulator's bulk files and over mutated edge cases and
// asserts identical EncodedChange.

import type { Address, NormalizedOrder } from "#app/core/types.ts";
import type { ShopifyNoteAttribute, ShopifyTransaction } from "./payloads.ts";
import type { BulkRecord } from "./bulk-operations.server.ts";
import { STAGED_COLUMNS, encodePaymentLine, type EncodedChange } from "#app/core/ingest/bulk-load.server.ts";
import { bigintText, copyEscape, isoInstantOf, textArray } from "#app/core/ingest/copy-text.server.ts";
import {
  boletoOrPixPayment,
  detectPaymentMethod,
  isBoletoOrPix,
  mapChannel,
  mapFinancialStatus,
  noteValue,
  optString,
  parseUtm,
  splitTags,
  toMinor,
} from "./normalize.ts";
import { isCustomerReference, landingSitePath, optGidId, platformIdFromGid, restFulfillmentStatus, restTransaction } from "./normalize-graphql.ts";

type Json = Record<string, unknown>;

/** The staging layouts this encoder writes; another layout (a column added) turns it off. */
const CUSTOMER_COLUMNS = [
  "platformId", "email", "phone", "firstName", "lastName", "city", "province", "country", "zip", "addresses", "birthDate",
  "gender", "taxId", "locale", "acceptsEmailMarketing", "acceptsSmsMarketing", "consentUpdatedAt", "tags", "note",
  "platformCreatedAt", "platformUpdatedAt",
];
const ORDER_COLUMNS = [
  "platformId", "name", "email", "currency", "subtotalMinor", "discountMinor", "shippingMinor", "taxMinor", "totalMinor",
  "refundedMinor", "financialStatus", "fulfillmentStatus", "channel", "paymentMethod", "gateways", "tags", "landingSite",
  "referringSite", "utmSource", "utmMedium", "utmCampaign", "test", "placedAt", "cancelledAt", "closedAt", "platformUpdatedAt",
  "deletedAt",
];
const LINE_COLUMNS = ["platformId", "productId", "variantId", "sku", "title", "category", "quantity", "unitPriceMinor", "discountMinor", "totalMinor"];

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((name, i) => name === b[i]);
const LAYOUT_KNOWN =
  same(STAGED_COLUMNS.customer, CUSTOMER_COLUMNS) && same(STAGED_COLUMNS.order, ORDER_COLUMNS) && same(STAGED_COLUMNS.line, LINE_COLUMNS);

/** Thrown inside this module when a record is not one it was written for: the caller's reference path takes it. */
class NotRecognised extends Error {}
const NOT_RECOGNISED = new NotRecognised("not recognised by the direct bulk encoder");

function isObj(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** optDate's reading (absent, null or "" → null; other non-strings and unparsable text are not recognised), as epoch ms. */
function optMs(value: unknown): number | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") throw NOT_RECOGNISED;
  const plain = plainUtcMs(value);
  if (plain >= 0) return plain;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw NOT_RECOGNISED;
  return ms;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two decimal digits at `at`, or -1. */
function two(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Epoch ms of "YYYY-MM-DDTHH:MM:SSZ" (how Shopify writes every timestamp) with each field in range
 * and the year from 1970 on, read without Date.parse's general parser (the encoder reads about
 * ten per order); -1 for anything else, which Date.parse then reads. For such text Date.parse
 * gives the same instant (ECMAScript's date-time string format, UTC).
 */
function plainUtcMs(s: string): number {
  if (s.length !== 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return -1;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 90) return -1;
  const century = two(s, 0);
  const yy = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  const year = century * 100 + yy;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (year < 1970 || day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month]!)) return -1;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** `new Date(ms)` only where a rule function takes a Date. */
const dateOf = (ms: number | null) => (ms === null ? null : new Date(ms));

const N = "\\N";
const text = (value: string | null) => (value === null ? N : copyEscape(value));
const instant = (ms: number | null) => (ms === null ? N : isoInstantOf(ms));
const bool = (value: boolean) => (value ? "t" : "f");
const textList = (values: readonly string[]) => copyEscape(textArray(values));

/** A decimal amount (string or number, as `minor` accepts) in `currency`'s minor units. */
function amountMinor(amount: unknown, currency: string): bigint {
  if (typeof amount !== "string" && typeof amount !== "number") throw NOT_RECOGNISED;
  return toMinor(amount, currency);
}

/** optMoney of a MoneyBag: its shop money in minor units, null when it has none. */
function bagMinor(bag: unknown, currency: string): bigint | null {
  if (!isObj(bag)) return null;
  const shop = bag.shopMoney;
  if (!isObj(shop) || shop.amount === undefined || shop.amount === null) return null;
  return amountMinor(shop.amount, optString(shop.currencyCode) ?? currency);
}

/** A MailingAddress node → Address (toAddress of the REST address normalize-graphql would write). */
function addressOf(a: Json): Address {
  return {
    line1: optString(a.address1),
    line2: optString(a.address2),
    neighborhood: null,
    city: optString(a.city),
    province: optString(a.provinceCode ?? null) ?? optString(a.province),
    country: optString(a.countryCodeV2 ?? a.countryCode ?? null) ?? optString(a.country),
    zip: optString(a.zip),
    phone: optString(a.phone),
  };
}

/** The REST id of an address node (validated as restAddress does), undefined when it has none. */
function addressId(a: Json): string | undefined {
  return a.id !== undefined && a.id !== null ? platformIdFromGid(a.id, "address id") : undefined;
}

/** Nodes of a connection from bulk children; an inline connection (an ordinary query) is not recognised. */
function childNodes(node: Json, field: string, type: string, children: readonly Json[]): Json[] {
  const prefix = `gid://shopify/${type}/`;
  const parentId = node.id;
  const nodes: Json[] = [];
  for (const child of children) {
    const id = child.id;
    if (typeof id === "string" && id.startsWith(prefix) && (child.__parentId === undefined || child.__parentId === parentId)) nodes.push(child);
  }
  if (nodes.length === 0 && node[field] !== undefined && node[field] !== null) throw NOT_RECOGNISED;
  return nodes;
}

/** isSubscribed of the consent state restCustomer writes (lower-cased when a string). */
function isSubscribed(state: unknown): boolean {
  return typeof state === "string" && optString(state.toLowerCase())?.toLowerCase() === "subscribed";
}

interface CustomerFallbacks {
  email: string | null;
  phone: string | null;
  locale: string | null;
  address: Json | null;
}
const NO_FALLBACKS: CustomerFallbacks = { email: null, phone: null, locale: null, address: null };

interface EncodedCustomer {
  platformId: string;
  at: number;
  text: string;
}

/** restCustomer + normalizeCustomer + the customer columns. `addressNodes` null: an embedded customer (no address list). */
function encodeCustomer(c: Json, addressNodes: readonly Json[] | null, fb: CustomerFallbacks): EncodedCustomer {
  const platformId = platformIdFromGid(c.id, "customer id");
  const email = isObj(c.defaultEmailAddress) ? c.defaultEmailAddress : null;
  const phone = isObj(c.defaultPhoneNumber) ? c.defaultPhoneNumber : null;
  const sms = phone && isObj(phone.smsMarketingConsent) ? phone.smsMarketingConsent : null;
  const defaultNode = isObj(c.defaultAddress) ? c.defaultAddress : null;
  const defaultId = defaultNode ? addressId(defaultNode) : undefined;
  const saved = addressNodes ?? [];
  const savedIds = saved.map(addressId);
  // main: the default address, else the first saved one (none is flagged default without a
  // default address), else the order's.
  const main: Json | null = defaultNode ?? saved[0] ?? fb.address;
  const mainId = main === defaultNode ? defaultId : main === saved[0] ? savedIds[0] : main ? addressId(main) : undefined;

  const addresses: Address[] = [];
  let mainAddress: Address | null = null;
  if (main) {
    mainAddress = addressOf(main);
    addresses.push(mainAddress);
  }
  if (saved.length > 0) {
    const seen = new Set<string>();
    if (main) seen.add(mainId !== undefined ? `id:${mainId}` : JSON.stringify(mainAddress));
    for (let i = 0; i < saved.length; i++) {
      const address = addressOf(saved[i]!);
      const id = savedIds[i];
      const key = id !== undefined ? `id:${id}` : JSON.stringify(address);
      if (seen.has(key)) continue;
      seen.add(key);
      addresses.push(address);
    }
  }

  const emailConsentAt = email ? optMs(email.marketingUpdatedAt ?? null) : null;
  const smsConsentAt = phone ? optMs((sms ? sms.updatedAt : phone.marketingUpdatedAt) ?? null) : null;
  const consentAt = emailConsentAt === null ? smsConsentAt : smsConsentAt === null ? emailConsentAt : Math.max(emailConsentAt, smsConsentAt);

  const address = optString(email?.emailAddress ?? null) ?? fb.email;
  const emailColumn = address ? address.toLowerCase().trim().toLowerCase() || null : null;
  const createdAt = optMs(c.createdAt);
  const updatedAt = optMs(c.updatedAt);
  const line = [
    copyEscape(platformId),
    text(emailColumn),
    text(optString(phone?.phoneNumber ?? null) ?? mainAddress?.phone ?? fb.phone),
    text(optString(c.firstName ?? null) ?? (main ? optString(main.firstName ?? null) : null)),
    text(optString(c.lastName ?? null) ?? (main ? optString(main.lastName ?? null) : null)),
    text(mainAddress?.city ?? null),
    text(mainAddress?.province ?? null),
    text(mainAddress?.country ?? null),
    text(mainAddress?.zip ?? null),
    copyEscape(JSON.stringify(addresses)),
    N,
    N,
    N,
    text(optString(c.locale ?? null) ?? fb.locale),
    bool(email !== null && isSubscribed(email.marketingState)),
    bool(phone !== null && isSubscribed(sms?.state ?? phone.marketingState)),
    instant(consentAt),
    textList(splitTags(Array.isArray(c.tags) ? c.tags : (c.tags ?? null))),
    text(optString(c.note ?? null)),
    instant(createdAt),
    `${instant(updatedAt)}\n`,
  ].join("\t");
  return { platformId, at: updatedAt ?? 0, text: line };
}

/** A line item node → its staging line after `orderPid`, and what the order sums of it. */
function encodeLine(line: Json, currency: string, orderPid: string, out: { rows: string[]; subtotal: bigint }): void {
  const platformId = platformIdFromGid(line.id, "line item id");
  const productId = optGidId(line.product);
  const variantId = optGidId(line.variant);
  const q = line.quantity;
  const quantity = q === undefined || q === null ? 0 : typeof q === "number" && Number.isInteger(q) ? q : -1;
  if (quantity < 0) throw NOT_RECOGNISED;
  const unit = bagMinor(line.originalUnitPriceSet, currency) ?? 0n;
  let discount = 0n;
  if (Array.isArray(line.discountAllocations)) {
    for (const allocation of line.discountAllocations) if (isObj(allocation)) discount += bagMinor(allocation.allocatedAmountSet, currency) ?? 0n;
  }
  const gross = unit * BigInt(quantity);
  out.subtotal += gross;
  out.rows.push(
    [
      orderPid,
      copyEscape(platformId),
      text(productId),
      text(variantId),
      text(optString(line.sku ?? null)),
      copyEscape(optString(line.title ?? null) ?? optString(line.name ?? null) ?? ""),
      N,
      String(quantity),
      bigintText(unit),
      bigintText(discount),
      `${bigintText(gross - discount)}\n`,
    ].join("\t"),
  );
}

/** Sum of successful refunds, as refundedAmount reads the refunds restOrder writes. */
function refundedOf(o: Json, transactions: readonly Json[], currency: string): bigint {
  let total = 0n;
  const refundTransactions = transactions.filter((t) => t.kind === "refund");
  if (refundTransactions.length > 0) {
    for (const t of refundTransactions) {
      if (optString(t.status)?.toLowerCase() !== "success") continue;
      total += amountMinor(t.amount, optString(t.currency) ?? currency);
    }
    return total;
  }
  if (!Array.isArray(o.refunds)) return total;
  for (const refund of o.refunds) {
    if (!isObj(refund)) continue;
    if (refund.id !== undefined && refund.id !== null) platformIdFromGid(refund.id, "refund id");
    const bag = refund.totalRefundedSet;
    if (!isObj(bag) || !isObj(bag.shopMoney) || bag.shopMoney.amount === undefined) continue;
    const code = typeof bag.shopMoney.currencyCode === "string" ? bag.shopMoney.currencyCode : null;
    total += amountMinor(bag.shopMoney.amount, optString(code) ?? currency);
  }
  return total;
}

const CURRENCY = /^[A-Z]{3}$/;

/** restOrder + normalizeOrder + encodeChange's order, lines, payment and embedded customer. */
function encodeOrder(o: Json, children: readonly Json[], shopCurrency: string): EncodedChange {
  const platformId = platformIdFromGid(o.id, "order id");
  const totalBag = o.totalPriceSet;
  const currency = (isObj(totalBag) && isObj(totalBag.shopMoney) ? optString(totalBag.shopMoney.currencyCode) : null) ?? optString(o.currencyCode ?? null) ?? shopCurrency;
  if (!CURRENCY.test(currency)) throw NOT_RECOGNISED;
  const processedAt = optMs(o.processedAt);
  const createdAt = optMs(o.createdAt);
  const placedAt = processedAt ?? createdAt;
  if (placedAt === null) throw NOT_RECOGNISED;
  const totalMinor = bagMinor(totalBag, currency);
  if (totalMinor === null) throw NOT_RECOGNISED;
  const cancelledAt = optMs(o.cancelledAt);
  const closedAt = optMs(o.closedAt);
  const updatedAt = optMs(o.updatedAt);

  const orderPid = copyEscape(platformId);
  const lineNodes = childNodes(o, "lineItems", "LineItem", children);
  const lines = { rows: [] as string[], subtotal: 0n };
  for (const line of lineNodes) encodeLine(line, currency, orderPid, lines);

  const notes: ShopifyNoteAttribute[] = [];
  if (Array.isArray(o.customAttributes)) {
    for (const a of o.customAttributes) if (isObj(a)) notes.push({ name: String(a.key ?? ""), value: a.value === undefined || a.value === null ? null : String(a.value) });
  }
  const gateways = Array.isArray(o.paymentGatewayNames)
    ? o.paymentGatewayNames.filter((name): name is string => typeof name === "string" && name.trim() !== "")
    : [];
  const transactions = Array.isArray(o.transactions) ? o.transactions.filter(isObj).map(restTransaction) : [];
  const paymentMethod = detectPaymentMethod(gateways, transactions as ShopifyTransaction[], notes);
  const financialStatus = mapFinancialStatus(optString(o.displayFinancialStatus ?? null));
  const journey = isObj(o.customerJourneySummary) ? o.customerJourneySummary : null;
  const visit = journey ? (isObj(journey.lastVisit) ? journey.lastVisit : isObj(journey.firstVisit) ? journey.firstVisit : null) : null;
  const landingSite = optString(landingSitePath(visit?.landingPage));
  const utm = parseUtm(landingSite);
  const email = optString(o.email ?? null);
  const emailColumn = email ? email.toLowerCase().trim().toLowerCase() || null : null;
  const billing = isObj(o.billingAddress) ? o.billingAddress : null;
  const shipping = isObj(o.shippingAddress) ? o.shippingAddress : null;
  if (billing) addressId(billing);
  if (shipping) addressId(shipping);
  // `customer { id }` (the bulk orders query): the order names its customer, whose row the
  // customers phase wrote; nothing of the customer is staged.
  const customerRef = isCustomerReference(o.customer) ? platformIdFromGid(o.customer.id, "customer id") : null;
  const customer = customerRef === null && isObj(o.customer)
    ? encodeCustomer(o.customer, null, { email, phone: optString(o.phone ?? null), locale: optString(o.customerLocale ?? null), address: billing ?? shipping })
    : null;
  const refundedMinor = refundedOf(o, transactions, currency);

  const payments: [string, string][] = [];
  if (isBoletoOrPix(paymentMethod)) {
    const facts: Pick<NormalizedOrder, "platformId" | "paymentMethod" | "platformUpdatedAt" | "placedAt" | "cancelledAt" | "financialStatus" | "gateways" | "totalMinor" | "currency"> = {
      platformId,
      paymentMethod,
      platformUpdatedAt: dateOf(updatedAt),
      placedAt: new Date(placedAt),
      cancelledAt: dateOf(cancelledAt),
      financialStatus,
      gateways,
      totalMinor,
      currency,
    };
    // "orders/updated": what normalizeGraphqlOrder passes (a topic that dates no payment; transactions do).
    const payment = boletoOrPixPayment(dateOf(createdAt), facts, notes, transactions as ShopifyTransaction[], "orders/updated");
    if (payment) payments.push([payment.platformId, encodePaymentLine(payment, orderPid)]);
  }

  const orderText = [
    customer ? copyEscape(customer.platformId) : customerRef !== null ? copyEscape(customerRef) : N,
    orderPid,
    text(optString(o.name ?? null)),
    text(emailColumn),
    currency,
    bigintText(lines.subtotal),
    bigintText(bagMinor(o.totalDiscountsSet, currency) ?? 0n),
    bigintText(bagMinor(o.totalShippingPriceSet, currency) ?? 0n),
    bigintText(bagMinor(o.totalTaxSet, currency) ?? 0n),
    bigintText(totalMinor),
    bigintText(refundedMinor),
    financialStatus,
    text(optString(restFulfillmentStatus(o.displayFulfillmentStatus))),
    mapChannel(optString(o.sourceName ?? null)),
    paymentMethod,
    textList(gateways),
    textList(splitTags(Array.isArray(o.tags) ? o.tags : (o.tags ?? null))),
    text(landingSite),
    text(optString(visit?.referrerUrl ?? null)),
    text(utm.utmSource ?? noteValue(notes, ["utm source"])),
    text(utm.utmMedium ?? noteValue(notes, ["utm medium"])),
    text(utm.utmCampaign ?? noteValue(notes, ["utm campaign"])),
    bool(o.test === true),
    isoInstantOf(placedAt),
    instant(cancelledAt),
    instant(closedAt),
    instant(updatedAt),
    `${N}\n`,
  ].join("\t");
  return {
    kind: "order",
    platformId,
    at: updatedAt ?? 0,
    text: orderText,
    lines: lines.rows.length === 1 ? lines.rows[0]! : lines.rows.join(""),
    lineCount: lineNodes.length,
    payments,
    customer,
  };
}

export interface BulkEncodeOptions {
  /** ISO 4217 code of the shop's currency, used when a node does not state one. */
  shopCurrency: string;
}

/**
 * The EncodedChange that `encodeChange(normalizeBulkRecord(record, opts))` gives, or null when
 * this encoder does not take the record (products, unexpected shapes, any error): then run that.
 */
export function encodeBulkRecord(record: BulkRecord, opts: BulkEncodeOptions): EncodedChange | null {
  if (!LAYOUT_KNOWN || !CURRENCY.test(opts.shopCurrency)) return null;
  try {
    switch (record.kind) {
      case "order":
        return encodeOrder(record.node, record.children, opts.shopCurrency);
      case "customer": {
        const addresses = childNodes(record.node, "addressesV2", "MailingAddress", record.children);
        return { kind: "customer", ...encodeCustomer(record.node, addresses, NO_FALLBACKS) };
      }
      default:
        return null;
    }
  } catch {
    return null;
  }
}
