// Shopify webhook body → platform-free NormalizedChange. Pure: no I/O, no clock, so the same
// delivery always yields the same result (replays, tests, reconciliation).
//
// Conventions the ingester can rely on:
// - Amounts are in the shop currency (`*_set.shop_money` when present, else the plain fields,
//   which Shopify also documents as shop currency), as bigint minor units.
// - NormalizedOrder.subtotalMinor is the line items before discounts (Shopify's
//   `total_line_items_price`), so totalMinor = subtotal − discount + shipping (+ tax when prices
//   exclude it). Shopify's own `subtotal_price` is already net of discounts.
// - totalMinor is the order total as placed (`total_price`); refunds are in refundedMinor.
//   `current_total_price` already nets refunds out, so using it would count them twice.
// - Malformed input throws ShopifyPayloadError; a valid body never yields partial garbage.

import type {
  Address,
  FinancialStatus,
  NormalizedChange,
  NormalizedCheckout,
  NormalizedCheckoutLine,
  NormalizedCustomer,
  NormalizedOrder,
  NormalizedOrderLine,
  NormalizedPayment,
  NormalizedProduct,
  NormalizedVariant,
  PaymentMethod,
  PaymentStatus,
  SalesChannel,
} from "../../app/core/types";
import type { ShopifyNoteAttribute, ShopifyTransaction } from "./payloads";
import { boundedMemo } from "../../app/core/bounded-memo";

export class ShopifyPayloadError extends Error {
  readonly topic: string | null;

  constructor(message: string, topic: string | null = null) {
    super(topic ? `Shopify ${topic} payload: ${message}` : message);
    this.name = "ShopifyPayloadError";
    this.topic = topic;
  }
}

export interface NormalizeOptions {
  /** ISO 4217 code of the shop's currency, used when a payload does not state one. */
  shopCurrency: string;
}

// ------------------------------------------------------------------------------------------
// Topics
// ------------------------------------------------------------------------------------------

const CUSTOMER_UPSERT_TOPICS = ["customers/create", "customers/update", "customers/enable", "customers/disable"];
const ORDER_UPSERT_TOPICS = [
  "orders/create",
  "orders/updated",
  "orders/paid",
  "orders/cancelled",
  "orders/fulfilled",
  "orders/partially_fulfilled",
];
const CHECKOUT_UPSERT_TOPICS = ["checkouts/create", "checkouts/update"];
const PRODUCT_UPSERT_TOPICS = ["products/create", "products/update"];
const COMPLIANCE_TOPICS = ["customers/data_request", "customers/redact", "shop/redact"];
const DELETE_TOPICS = ["customers/delete", "orders/delete", "products/delete"];
const KNOWN_TOPICS = [
  ...CUSTOMER_UPSERT_TOPICS,
  ...ORDER_UPSERT_TOPICS,
  ...CHECKOUT_UPSERT_TOPICS,
  ...PRODUCT_UPSERT_TOPICS,
  ...COMPLIANCE_TOPICS,
  ...DELETE_TOPICS,
  "app/uninstalled",
];

/** `orders/create` as sent in X-Shopify-Topic; also accepts `ORDERS_CREATE` (what authenticate.webhook returns). */
export function canonicalTopic(topic: string): string {
  const trimmed = topic.trim();
  if (trimmed.includes("/")) return trimmed.toLowerCase();
  const upper = trimmed.toUpperCase();
  return KNOWN_TOPICS.find((known) => known.replace("/", "_").toUpperCase() === upper) ?? trimmed.toLowerCase();
}

export function normalizeShopifyWebhook(topic: string, body: unknown, opts: NormalizeOptions): NormalizedChange {
  const canonical = canonicalTopic(topic);
  const ctx: Ctx = { topic: canonical, shopCurrency: checkCurrency(opts.shopCurrency) };

  if (canonical === "app/uninstalled") return { kind: "app.uninstalled" };
  // The stored receipt (resourceId = the operation's GID) is the signal: a sync job waiting on
  // that operation sees it and fetches the result at once. Nothing else to apply.
  if (canonical === "bulk_operations/finish") return { kind: "ignored", reason: "bulk operation finished: read by the waiting sync job" };
  if (COMPLIANCE_TOPICS.includes(canonical)) {
    return { kind: "compliance", topic: canonical, payload: requireObject(body, "body", ctx) };
  }
  if (CUSTOMER_UPSERT_TOPICS.includes(canonical)) {
    return { kind: "customer.upsert", customer: normalizeCustomer(requireObject(body, "body", ctx), ctx) };
  }
  if (ORDER_UPSERT_TOPICS.includes(canonical)) {
    return { kind: "order.upsert", order: normalizeOrder(requireObject(body, "body", ctx), ctx) };
  }
  if (CHECKOUT_UPSERT_TOPICS.includes(canonical)) {
    return { kind: "checkout.upsert", checkout: normalizeCheckout(requireObject(body, "body", ctx), ctx) };
  }
  if (PRODUCT_UPSERT_TOPICS.includes(canonical)) {
    return { kind: "product.upsert", product: normalizeProduct(requireObject(body, "body", ctx), ctx) };
  }
  if (DELETE_TOPICS.includes(canonical)) {
    const platformId = requireId(requireObject(body, "body", ctx), "id", ctx);
    if (canonical === "customers/delete") return { kind: "customer.delete", platformId };
    if (canonical === "orders/delete") return { kind: "order.delete", platformId };
    return { kind: "product.delete", platformId };
  }
  return { kind: "ignored", reason: `topic "${topic}" is not handled by the Shopify adapter` };
}

// ------------------------------------------------------------------------------------------
// Money
// ------------------------------------------------------------------------------------------

// ISO 4217 minor-unit exceptions; everything else has 2 decimals.
const CURRENCY_DECIMALS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

// Every amount of every order asks: the answer per code as written is remembered (a handful of
// codes per store; only valid ones, at most CODES_REMEMBERED).
const decimalsOf = new Map<string, number>();
const CODES_REMEMBERED = 1000;

export function currencyDecimals(currency: string): number {
  const known = decimalsOf.get(currency);
  if (known !== undefined) return known;
  const decimals = CURRENCY_DECIMALS[checkCurrency(currency)] ?? 2;
  if (decimalsOf.size < CODES_REMEMBERED) decimalsOf.set(currency, decimals);
  return decimals;
}

/**
 * Exact decimal → integer minor units by string arithmetic ("1999.99" BRL → 199999n,
 * "1500" JPY → 1500n, "1.250" KWD → 1250n). Digits beyond the currency's precision are
 * rounded half away from zero. Throws ShopifyPayloadError on anything that is not a plain decimal.
 */
export function toMinor(amount: string | number, currency: string): bigint {
  if (typeof amount === "number" && !Number.isFinite(amount)) {
    throw new ShopifyPayloadError(`${amount} is not a decimal amount`);
  }
  const text = String(amount).trim();
  const match = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text);
  const whole = match?.[2] ?? "";
  const fraction = match?.[3] ?? "";
  if (!match || (whole === "" && fraction === "")) {
    throw new ShopifyPayloadError(`"${String(amount)}" is not a decimal amount`);
  }
  const decimals = currencyDecimals(currency);
  let minor = BigInt((whole || "0") + fraction.slice(0, decimals).padEnd(decimals, "0"));
  const firstDropped = fraction.charAt(decimals);
  if (firstDropped !== "" && firstDropped >= "5") minor += 1n;
  return match[1] === "-" ? -minor : minor;
}

function checkCurrency(currency: unknown): string {
  if (typeof currency !== "string" || !/^[A-Za-z]{3}$/.test(currency.trim())) {
    throw new ShopifyPayloadError(`"${String(currency)}" is not an ISO 4217 currency code`);
  }
  return currency.trim().toUpperCase();
}

// ------------------------------------------------------------------------------------------
// Payment method, financial status, channel, UTM
// ------------------------------------------------------------------------------------------

/** Lowercase, accents stripped, punctuation → single spaces: "Boleto Bancário" → "boleto bancario". */
// Folding (Unicode decomposition + a Unicode-property regex) is the costly part of reading a
// gateway, source or attribute name, and a store has few distinct ones: remembered (bounded).
const fold = boundedMemo(foldUncached);

function foldUncached(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

const PIX_WORDS = /\bpix\b/;
// "ticket" is Mercado Pago's name for boleto ("woo-mercado-pago-ticket"); "billet" is Pagar.me's.
const BOLETO_WORDS = /\b(boleto|boletos|bank ?slip|billet|banking ticket|linha digitavel)\b|\bmercado ?pago ticket\b/;
const CARD_WORDS =
  /\b(shopify payments|card|cards|cartao|cartoes|credito|debito|credit|debit|visa|master ?card|elo|amex|american express|hipercard|diners|stripe|bogus|cielo|getnet|adyen|braintree|checkout com)\b/;
// Brazilian gateways that take card, boleto and Pix: without a boleto/Pix hint the sale is assumed
// to be by card, their most common method.
const MULTI_METHOD_GATEWAYS =
  /\b(mercado ?pago|pagar ?me|pagarme|pag ?bank|pag ?seguro|appmax|yampi|iugu|vindi|asaas|ebanx|stone|cartpanda|pagaleve|paypal)\b/;
const OFFLINE_WORDS =
  /\b(manual|cash|cod|cash on delivery|dinheiro|gift card|vale presente|bank deposit|deposito|transferencia|money order|a combinar)\b/;

function classifyText(text: string): PaymentMethod | null {
  const folded = fold(text);
  if (folded === "") return null;
  if (PIX_WORDS.test(folded)) return "pix";
  if (BOLETO_WORDS.test(folded)) return "boleto";
  if (OFFLINE_WORDS.test(folded)) return "other";
  if (CARD_WORDS.test(folded) || MULTI_METHOD_GATEWAYS.test(folded)) return "card";
  return null;
}

const METHOD_ATTRIBUTE_NAMES = new Set([
  "payment method",
  "payment type",
  "metodo pagamento",
  "metodo de pagamento",
  "forma pagamento",
  "forma de pagamento",
  "tipo pagamento",
  "tipo de pagamento",
]);

/** What the order's note attributes say about the method: boleto/Pix apps leave their data there. */
function methodFromNoteAttributes(noteAttributes: readonly ShopifyNoteAttribute[]): PaymentMethod | null {
  for (const attribute of noteAttributes) {
    const name = fold(String(attribute.name ?? ""));
    const value = typeof attribute.value === "string" ? attribute.value.trim() : "";
    if (value === "") continue;
    if (METHOD_ATTRIBUTE_NAMES.has(name)) {
      const fromValue = classifyText(value);
      if (fromValue) return fromValue;
    }
    if (PIX_WORDS.test(name) || name === "copia e cola") return "pix";
    if (/\bboleto\b|\blinha digitavel\b|\bcodigo de barras\b/.test(name)) return "boleto";
  }
  return null;
}

/**
 * card / boleto / pix / other, from the strongest evidence available:
 * 1. note attributes written by Brazilian payment apps (boleto line, Pix copia-e-cola, "forma de pagamento"),
 * 2. gateway names ("Pix", "Boleto Bancário", "bank_slip") and transaction gateways,
 * 3. card evidence (shopify_payments, card details on a transaction, a card-capable Brazilian gateway),
 * 4. otherwise "other" (manual, cash on delivery, gift card, unknown).
 */
export function detectPaymentMethod(
  gatewayNames: readonly string[] | null | undefined,
  transactions?: readonly ShopifyTransaction[] | null,
  noteAttributes?: readonly ShopifyNoteAttribute[] | null,
): PaymentMethod {
  const fromNotes = methodFromNoteAttributes(noteAttributes ?? []);
  if (fromNotes === "pix" || fromNotes === "boleto") return fromNotes;

  const candidates: PaymentMethod[] = [];
  for (const name of gatewayNames ?? []) {
    const method = typeof name === "string" ? classifyText(name) : null;
    if (method) candidates.push(method);
  }
  for (const transaction of transactions ?? []) {
    const details = transaction.payment_details;
    for (const text of [transaction.gateway, details?.payment_method_name]) {
      const method = typeof text === "string" ? classifyText(text) : null;
      if (method) candidates.push(method);
    }
    if (details?.credit_card_company || details?.credit_card_bin) candidates.push("card");
  }
  if (fromNotes) candidates.unshift(fromNotes);

  for (const preferred of ["pix", "boleto", "card"] as const) {
    if (candidates.includes(preferred)) return preferred;
  }
  return "other";
}

const FINANCIAL_STATUSES: Record<string, FinancialStatus> = {
  pending: "pending",
  authorized: "authorized",
  paid: "paid",
  partially_paid: "partially_paid",
  partially_refunded: "partially_refunded",
  refunded: "refunded",
  voided: "voided",
  // GraphQL's EXPIRED (authorization lapsed): no money was or will be captured, like a void.
  expired: "voided",
};

/** Shopify financial_status (REST lowercase or GraphQL uppercase) → FinancialStatus; unknown values → "unknown". */
export function mapFinancialStatus(status: string | null | undefined): FinancialStatus {
  if (typeof status !== "string") return "unknown";
  return FINANCIAL_STATUSES[status.trim().toLowerCase()] ?? "unknown";
}

const MARKETPLACE_SOURCES =
  /\b(mercado ?livre|mercado ?libre|amazon|shopee|magalu|magazine luiza|americanas|b2w|netshoes|dafiti|zattini|carrefour|casas bahia|via varejo|olist|madeira madeira|ebay|etsy|walmart|tiktok|shein|aliexpress|temu)\b/;

/**
 * Shopify `source_name` → SalesChannel. "web" is the online store, "pos" Shopify POS,
 * "shopify_draft_order" an order the merchant created. Sales-channel apps send their handle or
 * numeric app id: handles of known marketplaces map to "marketplace"; numeric ids are opaque and
 * map to "other" unless the caller lists them in `marketplaceSources`. Missing → "other".
 */
export function mapChannel(
  sourceName: string | null | undefined,
  marketplaceSources: Iterable<string> = [],
): SalesChannel {
  if (typeof sourceName !== "string" || sourceName.trim() === "") return "other";
  const source = sourceName.trim().toLowerCase();
  if (source === "web" || source === "buy_button" || source === "checkout_next") return "web";
  if (source === "pos") return "pos";
  if (source === "shopify_draft_order") return "draft";
  for (const extra of marketplaceSources) if (extra.trim().toLowerCase() === source) return "marketplace";
  if (MARKETPLACE_SOURCES.test(fold(source))) return "marketplace";
  return "other";
}

export interface UtmParameters {
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
}

/**
 * UTM parameters from `landing_site` ("/produtos/x?utm_source=instagram&utm_medium=social") or a
 * full URL. Shopify sometimes HTML-escapes the ampersands (`&amp;`), which is undone first.
 */
export function parseUtm(landingSite: string | null | undefined): Readonly<UtmParameters> {
  if (typeof landingSite !== "string" || !landingSite.includes("?")) return NO_UTM;
  return utmOf(landingSite);
}

const NO_UTM: Readonly<UtmParameters> = Object.freeze({ utmSource: null, utmMedium: null, utmCampaign: null });
// Parsing the URL is the costly part, and a store's orders land on few distinct pages (as for
// landingSitePath): remembered, bounded, frozen since every caller shares the answer.
const utmOf = boundedMemo((landingSite: string) => Object.freeze(parseUtmUncached(landingSite)));

function parseUtmUncached(landingSite: string): UtmParameters {
  const none: UtmParameters = { utmSource: null, utmMedium: null, utmCampaign: null };
  let url: URL;
  try {
    url = new URL(landingSite.replace(/&amp;/g, "&"), "https://landing.invalid");
  } catch {
    return none;
  }
  const read = (key: string) => {
    const value = url.searchParams.get(key)?.trim();
    return value ? value : null;
  };
  return { utmSource: read("utm_source"), utmMedium: read("utm_medium"), utmCampaign: read("utm_campaign") };
}

// ------------------------------------------------------------------------------------------
// Field readers: validate what the normalisers depend on
// ------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
interface Ctx {
  topic: string;
  shopCurrency: string;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requireObject(value: unknown, what: string, ctx: Ctx): Json {
  if (!isObject(value)) {
    const actual = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    throw new ShopifyPayloadError(`${what} must be a JSON object, got ${actual}`, ctx.topic);
  }
  return value;
}

/** Numeric id (number, digit string, or `gid://shopify/Type/123`) as a string; null when absent. */
function optId(obj: Json, field: string, ctx: Ctx): string | null {
  const value = obj[field];
  if (value === undefined || value === null) return null;
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value > 0) return String(value);
    throw new ShopifyPayloadError(`"${field}" is not a positive safe integer: ${value}`, ctx.topic);
  }
  if (typeof value === "string") {
    const match = /^(?:gid:\/\/shopify\/[A-Za-z]+\/)?(\d+)$/.exec(value.trim());
    if (match?.[1] && BigInt(match[1]) > 0n) return match[1];
  }
  throw new ShopifyPayloadError(`"${field}" is not a valid id: ${JSON.stringify(value)}`, ctx.topic);
}

function requireId(obj: Json, field: string, ctx: Ctx): string {
  const id = optId(obj, field, ctx);
  if (id === null) throw new ShopifyPayloadError(`"${field}" is missing`, ctx.topic);
  return id;
}

/** A non-empty trimmed string (numbers as text), else null: how every optional text field is read. */
export function optString(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

function optDate(obj: Json, field: string, ctx: Ctx): Date | null {
  const value = obj[field];
  if (value === undefined || value === null || value === "") return null;
  const date = typeof value === "string" ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new ShopifyPayloadError(`"${field}" is not a timestamp: ${JSON.stringify(value)}`, ctx.topic);
  }
  return date;
}

function optInteger(obj: Json, field: string, ctx: Ctx): number | null {
  const value = obj[field];
  if (value === undefined || value === null) return null;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  throw new ShopifyPayloadError(`"${field}" is not an integer: ${JSON.stringify(value)}`, ctx.topic);
}

/** Array of objects; absent → []. */
function optObjects(obj: Json, field: string, ctx: Ctx): Json[] {
  const value = obj[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ShopifyPayloadError(`"${field}" must be an array`, ctx.topic);
  return value.map((item, index) => requireObject(item, `${field}[${index}]`, ctx));
}

function optObject(obj: Json, field: string, ctx: Ctx): Json | null {
  const value = obj[field];
  if (value === undefined || value === null) return null;
  return requireObject(value, `"${field}"`, ctx);
}

function minor(value: unknown, field: string, currency: string, ctx: Ctx): bigint {
  if (typeof value !== "string" && typeof value !== "number") {
    throw new ShopifyPayloadError(`"${field}" is not a decimal amount: ${JSON.stringify(value)}`, ctx.topic);
  }
  try {
    return toMinor(value, currency);
  } catch (error) {
    if (error instanceof ShopifyPayloadError) {
      throw new ShopifyPayloadError(`"${field}": ${error.message}`, ctx.topic);
    }
    throw error;
  }
}

/** `{field}_set.shop_money` when present, else the plain `{field}`; null when neither is there. */
function optMoney(obj: Json, field: string, currency: string, ctx: Ctx): bigint | null {
  const set = obj[`${field}_set`];
  if (isObject(set) && isObject(set.shop_money) && set.shop_money.amount != null) {
    const shopCurrency = optString(set.shop_money.currency_code) ?? currency;
    return minor(set.shop_money.amount, `${field}_set.shop_money.amount`, shopCurrency, ctx);
  }
  const plain = obj[field];
  if (plain === undefined || plain === null || plain === "") return null;
  return minor(plain, field, currency, ctx);
}

function money(obj: Json, field: string, currency: string, ctx: Ctx): bigint {
  return optMoney(obj, field, currency, ctx) ?? 0n;
}

/** Tags as an array (Shopify sends a comma-separated string in webhooks, a list in GraphQL). */
export function splitTags(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((tag): tag is string => typeof tag === "string" && tag.trim() !== "");
  if (typeof value !== "string") return [];
  return value
    .split(",")
    .map((tag) => tag.trim())
    .filter((tag) => tag !== "");
}

function noteAttributesOf(obj: Json, ctx: Ctx): ShopifyNoteAttribute[] {
  return optObjects(obj, "note_attributes", ctx).map((attribute) => ({
    name: String(attribute.name ?? ""),
    value: attribute.value == null ? null : String(attribute.value),
  }));
}

// ------------------------------------------------------------------------------------------
// Customers
// ------------------------------------------------------------------------------------------

function toAddress(address: Json): Address {
  return {
    line1: optString(address.address1),
    line2: optString(address.address2),
    // Shopify has no separate neighbourhood (bairro) field; Brazilian shops put it in address2.
    neighborhood: null,
    city: optString(address.city),
    province: optString(address.province_code) ?? optString(address.province),
    country: optString(address.country_code) ?? optString(address.country),
    zip: optString(address.zip),
    phone: optString(address.phone),
  };
}

function isSubscribed(consent: Json | null): boolean | null {
  if (!consent) return null;
  return optString(consent.state)?.toLowerCase() === "subscribed";
}

interface CustomerFallbacks {
  email?: string | null;
  phone?: string | null;
  locale?: string | null;
  /** Order/checkout address used when an embedded customer has no default_address. */
  address?: Json | null;
}

function normalizeCustomer(c: Json, ctx: Ctx, fallbacks: CustomerFallbacks = {}): NormalizedCustomer {
  const platformId = requireId(c, "id", ctx);
  const defaultAddress = optObject(c, "default_address", ctx);
  const saved = optObjects(c, "addresses", ctx);
  const main =
    defaultAddress ?? saved.find((address) => address.default === true) ?? saved[0] ?? fallbacks.address ?? null;

  // `addresses` normally contains the default one too; keep each address once, default first.
  const seen = new Set<string>();
  const addresses: Address[] = [];
  for (const address of [main, ...saved]) {
    if (!address) continue;
    const key = address.id != null ? `id:${String(address.id)}` : JSON.stringify(toAddress(address));
    if (seen.has(key)) continue;
    seen.add(key);
    addresses.push(toAddress(address));
  }
  const mainAddress = main ? toAddress(main) : null;

  const emailConsent = optObject(c, "email_marketing_consent", ctx);
  const smsConsent = optObject(c, "sms_marketing_consent", ctx);
  const consentDates = [emailConsent, smsConsent]
    .map((consent) => (consent ? optDate(consent, "consent_updated_at", ctx) : null))
    .filter((date): date is Date => date !== null)
    .sort((a, b) => b.getTime() - a.getTime());

  const email = optString(c.email) ?? fallbacks.email ?? null;
  return {
    platformId,
    email: email ? email.toLowerCase() : null,
    phone: optString(c.phone) ?? mainAddress?.phone ?? fallbacks.phone ?? null,
    firstName: optString(c.first_name) ?? (main ? optString(main.first_name) : null),
    lastName: optString(c.last_name) ?? (main ? optString(main.last_name) : null),
    city: mainAddress?.city ?? null,
    province: mainAddress?.province ?? null,
    country: mainAddress?.country ?? null,
    zip: mainAddress?.zip ?? null,
    addresses,
    birthDate: null,
    gender: null,
    taxId: null,
    locale: optString(c.locale) ?? fallbacks.locale ?? null,
    acceptsEmailMarketing: isSubscribed(emailConsent) ?? c.accepts_marketing === true,
    acceptsSmsMarketing: isSubscribed(smsConsent) ?? false,
    consentUpdatedAt: consentDates[0] ?? null,
    tags: splitTags(c.tags),
    note: optString(c.note),
    platformCreatedAt: optDate(c, "created_at", ctx),
    platformUpdatedAt: optDate(c, "updated_at", ctx),
  };
}

/** The customer embedded in an order/checkout, or null for guests (no customer or no id). */
function embeddedCustomer(parent: Json, ctx: Ctx, fallbacks: CustomerFallbacks): NormalizedCustomer | null {
  const customer = optObject(parent, "customer", ctx);
  if (!customer || customer.id === undefined || customer.id === null) return null;
  return normalizeCustomer(customer, { ...ctx, topic: `${ctx.topic} customer` }, fallbacks);
}

// ------------------------------------------------------------------------------------------
// Orders
// ------------------------------------------------------------------------------------------

function payloadCurrency(code: string, ctx: Ctx): string {
  try {
    return checkCurrency(code);
  } catch {
    throw new ShopifyPayloadError(`"currency" is not an ISO 4217 code: ${JSON.stringify(code)}`, ctx.topic);
  }
}

function orderCurrency(o: Json, ctx: Ctx): string {
  const set = o.total_price_set;
  const fromSet = isObject(set) && isObject(set.shop_money) ? optString(set.shop_money.currency_code) : null;
  return payloadCurrency(fromSet ?? optString(o.currency) ?? ctx.shopCurrency, ctx);
}

function normalizeOrderLine(line: Json, currency: string, ctx: Ctx): NormalizedOrderLine {
  const quantity = optInteger(line, "quantity", ctx) ?? 0;
  if (quantity < 0) throw new ShopifyPayloadError(`line item quantity is negative: ${quantity}`, ctx.topic);
  const unitPriceMinor = money(line, "price", currency, ctx);
  const allocations = optObjects(line, "discount_allocations", ctx);
  // total_discount is deprecated and often "0.00" next to real allocations, so allocations win.
  const discountMinor =
    allocations.length > 0
      ? allocations.reduce((sum, allocation) => sum + money(allocation, "amount", currency, ctx), 0n)
      : money(line, "total_discount", currency, ctx);
  return {
    platformId: optId(line, "id", ctx),
    productId: optId(line, "product_id", ctx),
    variantId: optId(line, "variant_id", ctx),
    sku: optString(line.sku),
    title: optString(line.title) ?? optString(line.name) ?? "",
    category: null,
    quantity,
    unitPriceMinor,
    discountMinor,
    totalMinor: unitPriceMinor * BigInt(quantity) - discountMinor,
  };
}

/** Sum of refund transactions that actually returned money (kind "refund", status "success"). */
function refundedAmount(o: Json, currency: string, ctx: Ctx): bigint {
  let total = 0n;
  for (const refund of optObjects(o, "refunds", ctx)) {
    for (const transaction of optObjects(refund, "transactions", ctx)) {
      if (optString(transaction.kind)?.toLowerCase() !== "refund") continue;
      if (optString(transaction.status)?.toLowerCase() !== "success") continue;
      // Assumes single-currency shops (the norm in Brazil): transaction amounts are in `currency`.
      const txCurrency = optString(transaction.currency) ?? currency;
      total += minor(transaction.amount, "refunds[].transactions[].amount", txCurrency, ctx);
    }
  }
  return total;
}

function normalizeOrder(o: Json, ctx: Ctx): NormalizedOrder {
  const platformId = requireId(o, "id", ctx);
  const currency = orderCurrency(o, ctx);
  const placedAt = optDate(o, "processed_at", ctx) ?? optDate(o, "created_at", ctx);
  if (!placedAt) throw new ShopifyPayloadError(`order ${platformId} has neither processed_at nor created_at`, ctx.topic);
  const totalMinor = optMoney(o, "total_price", currency, ctx);
  if (totalMinor === null) throw new ShopifyPayloadError(`order ${platformId} has no total_price`, ctx.topic);

  const lines = optObjects(o, "line_items", ctx).map((line) => normalizeOrderLine(line, currency, ctx));
  const shippingLines = optObjects(o, "shipping_lines", ctx);
  const subtotalMinor =
    optMoney(o, "total_line_items_price", currency, ctx) ??
    lines.reduce((sum, line) => sum + line.unitPriceMinor * BigInt(line.quantity), 0n);
  const shippingMinor =
    optMoney(o, "total_shipping_price", currency, ctx) ??
    shippingLines.reduce((sum, line) => sum + money(line, "price", currency, ctx), 0n);

  const noteAttributes = noteAttributesOf(o, ctx);
  const gateways = Array.isArray(o.payment_gateway_names)
    ? o.payment_gateway_names.filter((name): name is string => typeof name === "string" && name.trim() !== "")
    : optString(o.gateway)
      ? [String(o.gateway)]
      : [];
  const transactions = optObjects(o, "transactions", ctx) as ShopifyTransaction[];
  const paymentMethod = detectPaymentMethod(gateways, transactions, noteAttributes);
  const financialStatus = mapFinancialStatus(optString(o.financial_status));
  const landingSite = optString(o.landing_site);
  const utm = parseUtm(landingSite);
  const email = optString(o.email) ?? optString(o.contact_email);
  const shippingAddress = optObject(o, "shipping_address", ctx);
  const billingAddress = optObject(o, "billing_address", ctx);

  const order: NormalizedOrder = {
    platformId,
    name: optString(o.name),
    customer: embeddedCustomer(o, ctx, {
      email,
      phone: optString(o.phone),
      locale: optString(o.customer_locale),
      address: billingAddress ?? shippingAddress,
    }),
    email: email ? email.toLowerCase() : null,
    currency,
    subtotalMinor,
    discountMinor: money(o, "total_discounts", currency, ctx),
    shippingMinor,
    taxMinor: money(o, "total_tax", currency, ctx),
    totalMinor,
    refundedMinor: refundedAmount(o, currency, ctx),
    financialStatus,
    fulfillmentStatus: optString(o.fulfillment_status),
    channel: mapChannel(optString(o.source_name)),
    paymentMethod,
    gateways,
    tags: splitTags(o.tags),
    landingSite,
    referringSite: optString(o.referring_site),
    utmSource: utm.utmSource ?? noteValue(noteAttributes, ["utm source"]),
    utmMedium: utm.utmMedium ?? noteValue(noteAttributes, ["utm medium"]),
    utmCampaign: utm.utmCampaign ?? noteValue(noteAttributes, ["utm campaign"]),
    test: o.test === true,
    placedAt,
    cancelledAt: optDate(o, "cancelled_at", ctx),
    closedAt: optDate(o, "closed_at", ctx),
    platformUpdatedAt: optDate(o, "updated_at", ctx),
    lines,
    payments: [],
  };
  // created_at is read (and may fail) only for boleto/Pix orders, as it always was.
  const payment = isBoletoOrPix(paymentMethod) ? boletoOrPixPayment(optDate(o, "created_at", ctx), order, noteAttributes, transactions, ctx.topic) : null;
  if (payment) order.payments.push(payment);
  return order;
}

// ------------------------------------------------------------------------------------------
// Boleto / Pix payments
// ------------------------------------------------------------------------------------------

/** First non-empty value among attributes whose folded name is one of `names`. */
export function noteValue(attributes: readonly ShopifyNoteAttribute[], names: readonly string[]): string | null {
  for (const name of names) {
    const hit = attributes.find((attribute) => fold(attribute.name) === name && optString(attribute.value));
    if (hit) return optString(hit.value);
  }
  return null;
}

const BOLETO_URL_NAMES = ["boleto url", "url boleto", "url do boleto", "link boleto", "link do boleto", "boleto link", "boleto pdf", "boleto link pdf", "boleto pdf url"];
const BOLETO_LINE_NAMES = ["boleto barcode", "linha digitavel", "boleto linha digitavel", "boleto digitable line", "digitable line", "codigo de barras", "codigo barras", "boleto codigo de barras", "barcode"];
const BOLETO_DUE_NAMES = ["boleto due date", "boleto vencimento", "vencimento", "vencimento boleto", "data vencimento", "data de vencimento", "boleto expiration date", "boleto expires at", "due date"];
const PIX_CODE_NAMES = ["pix code", "pix copia e cola", "copia e cola", "pix copy paste", "pix qr code", "pix qrcode", "pix emv", "pix payload", "qr code pix"];
const PIX_EXPIRY_NAMES = ["pix expires at", "pix expiration", "pix expiration date", "pix expira em", "pix vencimento", "pix due date", "due date"];
const PAID_AT_NAMES = ["paid at", "data pagamento", "data de pagamento", "pago em"];

export function isBoletoOrPix(method: PaymentMethod): method is "boleto" | "pix" {
  return method === "boleto" || method === "pix";
}

/** What boletoOrPixPayment reads of the order. */
export type PaymentFacts = Pick<
  NormalizedOrder,
  "platformId" | "paymentMethod" | "platformUpdatedAt" | "placedAt" | "cancelledAt" | "financialStatus" | "gateways" | "totalMinor" | "currency"
>;

/**
 * A date written by a payment app: ISO timestamp, or a bare day ("2025-03-10", "10/03/2025")
 * meaning the end of that day in Brasília time (UTC−3, no daylight saving since 2019), since a
 * boleto can be paid through its due date. Unreadable app data gives null rather than failing
 * the whole order.
 */
function parseAppDate(value: string | null): Date | null {
  if (!value) return null;
  const isoDay = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const brDay = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value);
  const day = isoDay ? `${isoDay[1]}-${isoDay[2]}-${isoDay[3]}` : brDay ? `${brDay[3]}-${brDay[2]}-${brDay[1]}` : null;
  const date = new Date(day ? `${day}T23:59:59-03:00` : value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "23793.38128 60000.000003 …" → digits only, when it is a formatted digit line; else as written. */
function cleanBarcode(value: string | null): string | null {
  if (!value) return null;
  return /^[\d.\s-]+$/.test(value) ? value.replace(/\D/g, "") : value;
}

/**
 * One NormalizedPayment for boleto/Pix orders. Status rules, in order:
 * cancelled order or voided → "cancelled"; refunded → "refunded"; paid or partially refunded →
 * "paid"; otherwise (pending/authorized/partially paid) → "expired" if the due date had passed
 * at the payload's `updated_at`, else "pending". The ingester (or a sweep job) expires pending
 * boletos whose due date passes without any further webhook.
 * The payment's platformId is `<order id>:<method>`, stable across all webhooks of the order.
 * `createdAt` is the payload's created_at (the order's placedAt when absent); `topic` the
 * canonical webhook topic (GraphQL nodes pass "orders/updated", which dates no payment).
 */
export function boletoOrPixPayment(
  createdAt: Date | null,
  order: PaymentFacts,
  notes: readonly ShopifyNoteAttribute[],
  transactions: readonly ShopifyTransaction[],
  topic: string,
): NormalizedPayment | null {
  const method = order.paymentMethod;
  if (method !== "boleto" && method !== "pix") return null;

  const dueAt = parseAppDate(noteValue(notes, method === "pix" ? PIX_EXPIRY_NAMES : BOLETO_DUE_NAMES));
  const asOf = order.platformUpdatedAt ?? order.placedAt;
  let status: PaymentStatus;
  if (order.cancelledAt || order.financialStatus === "voided") status = "cancelled";
  else if (order.financialStatus === "refunded") status = "refunded";
  else if (order.financialStatus === "paid" || order.financialStatus === "partially_refunded") status = "paid";
  else status = dueAt && asOf.getTime() > dueAt.getTime() ? "expired" : "pending";

  let paidAt: Date | null = null;
  if (status === "paid" || status === "refunded") {
    const settled = transactions.find(
      (tx) => (tx.kind === "sale" || tx.kind === "capture") && tx.status === "success" && tx.processed_at,
    );
    // Order webhooks rarely carry transactions. Then only two payloads date the payment:
    // orders/paid (sent when it happens) and orders/create of an order paid up front. Any other
    // topic leaves paidAt null and the ingester keeps the value it already holds.
    const fromTopic =
      topic === "orders/paid" ? asOf : topic === "orders/create" ? order.placedAt : null;
    paidAt = parseAppDate(settled?.processed_at ?? null) ?? parseAppDate(noteValue(notes, PAID_AT_NAMES)) ?? fromTopic;
  }

  const gateway = order.gateways.find((name) => classifyText(name) === method) ?? order.gateways[0] ?? null;
  return {
    platformId: `${order.platformId}:${method}`,
    method,
    gateway,
    status,
    amountMinor: order.totalMinor,
    currency: order.currency,
    boletoUrl: method === "boleto" ? noteValue(notes, BOLETO_URL_NAMES) : null,
    boletoBarcode: method === "boleto" ? cleanBarcode(noteValue(notes, BOLETO_LINE_NAMES)) : null,
    pixCode: method === "pix" ? noteValue(notes, PIX_CODE_NAMES) : null,
    dueAt,
    paidAt,
    createdAt: createdAt ?? order.placedAt,
  };
}

// ------------------------------------------------------------------------------------------
// Checkouts
// ------------------------------------------------------------------------------------------

function normalizeCheckout(c: Json, ctx: Ctx): NormalizedCheckout {
  // `id` left checkout webhooks in 2026-04; `token` is stable across versions and is what orders
  // reference as `checkout_token`.
  const platformId = optString(c.token) ?? optId(c, "id", ctx);
  if (!platformId) throw new ShopifyPayloadError(`checkout has neither "token" nor "id"`, ctx.topic);
  const startedAt = optDate(c, "created_at", ctx);
  if (!startedAt) throw new ShopifyPayloadError(`checkout ${platformId} has no created_at`, ctx.topic);

  // Checkout amounts are in the buyer's (presentment) currency.
  const currency = payloadCurrency(optString(c.presentment_currency) ?? optString(c.currency) ?? ctx.shopCurrency, ctx);
  const lines: NormalizedCheckoutLine[] = optObjects(c, "line_items", ctx).map((line) => ({
    productId: optId(line, "product_id", ctx),
    variantId: optId(line, "variant_id", ctx),
    title: optString(line.title) ?? optString(line.presentment_title) ?? "",
    quantity: optInteger(line, "quantity", ctx) ?? 0,
    unitPriceMinor: money(line, "price", currency, ctx),
    imageUrl: optString(line.image_url),
  }));
  const shippingAddress = optObject(c, "shipping_address", ctx);
  const billingAddress = optObject(c, "billing_address", ctx);
  const address = shippingAddress ?? billingAddress;
  const customer = embeddedCustomer(c, ctx, {
    email: optString(c.email),
    phone: optString(c.phone),
    locale: optString(c.customer_locale),
    address,
  });
  const email = optString(c.email) ?? customer?.email ?? null;

  return {
    platformId,
    customer,
    email: email ? email.toLowerCase() : null,
    phone: optString(c.phone) ?? customer?.phone ?? (address ? optString(address.phone) : null),
    recoveryUrl: optString(c.abandoned_checkout_url),
    currency,
    totalMinor:
      optMoney(c, "total_price", currency, ctx) ??
      lines.reduce((sum, line) => sum + line.unitPriceMinor * BigInt(line.quantity), 0n),
    lines,
    startedAt,
    platformUpdatedAt: optDate(c, "updated_at", ctx),
    completedAt: optDate(c, "completed_at", ctx),
    completedOrderId: optId(c, "order_id", ctx),
  };
}

// ------------------------------------------------------------------------------------------
// Products
// ------------------------------------------------------------------------------------------

function normalizeProduct(p: Json, ctx: Ctx): NormalizedProduct {
  const platformId = requireId(p, "id", ctx);
  const title = optString(p.title);
  if (!title) throw new ShopifyPayloadError(`product ${platformId} has no title`, ctx.topic);
  const currency = ctx.shopCurrency; // product prices are always in the shop currency

  const variants: NormalizedVariant[] = optObjects(p, "variants", ctx).map((variant) => {
    const tracked = optString(variant.inventory_management) !== null;
    const sellsWhenOut = optString(variant.inventory_policy)?.toLowerCase() === "continue";
    const quantity = optInteger(variant, "inventory_quantity", ctx) ?? 0;
    return {
      id: requireId(variant, "id", ctx),
      title: optString(variant.title) ?? title,
      sku: optString(variant.sku),
      // A string: this list is stored as JSON, which has no bigint.
      priceMinor: money(variant, "price", currency, ctx).toString(),
      available: !tracked || sellsWhenOut || quantity > 0,
    };
  });
  const prices = variants.map((variant) => BigInt(variant.priceMinor));
  const lowestPrice = prices.length > 0 ? prices.reduce((low, price) => (price < low ? price : low)) : null;

  const image = optObject(p, "image", ctx) ?? optObjects(p, "images", ctx)[0] ?? null;
  const taxonomy = optObject(p, "category", ctx);
  return {
    platformId,
    title,
    handle: optString(p.handle),
    vendor: optString(p.vendor),
    category: optString(p.product_type) ?? (taxonomy ? optString(taxonomy.name) : null),
    tags: splitTags(p.tags),
    status: optString(p.status)?.toLowerCase() ?? "active",
    imageUrl: image ? optString(image.src) : null,
    priceMinor: lowestPrice,
    currency: lowestPrice === null ? null : currency,
    variants,
    inStock: variants.length === 0 || variants.some((variant) => variant.available),
    platformUpdatedAt: optDate(p, "updated_at", ctx),
  };
}
