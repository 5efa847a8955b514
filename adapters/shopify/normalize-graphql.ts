// Admin GraphQL nodes (bulk JSONL records, or ordinary query results with edges/nodes) →
// the same NormalizedCustomer / NormalizedOrder / NormalizedProduct the webhook normaliser
// produces for the same object, so a backfilled row and a webhook row converge.
//
// How: each GraphQL node is rewritten field by field into the REST webhook body it corresponds
// to (payloads.ts), which then goes through normalizeShopifyWebhook. Money rules (shop money,
// minor units by toMinor), payment-method detection, financial status, channel and UTM parsing
// are therefore not re-implemented here but are literally the webhook normaliser's. The mapping:
//
//   gid://shopify/Order/123            → id 123 (any `?model_name=…` suffix dropped)
//   *Set.shopMoney {amount currencyCode} → *_set.shop_money {amount currency_code}
//   ENUM values (PAID, SUBSCRIBED, DENY) → lowercase REST values
//   customAttributes {key value}       → note_attributes {name value}
//   customerJourneySummary.lastVisit (else firstVisit).landingPage → landing_site, as path + query
//   transactions (REFUND, SUCCESS …)   → transactions, and refunds[0].transactions for kind REFUND
//   lineItems / addressesV2 / variants  → from bulk children (by gid type) or inline edges/nodes
//
// Known differences from the webhook result for the same object (SHAPE_DIFFERENCES below).

import type { NormalizedChange, NormalizedCustomer, NormalizedOrder, NormalizedProduct } from "../../app/core/types";
import type { BulkRecord } from "./bulk-operations.server";
import { ShopifyPayloadError, normalizeShopifyWebhook } from "./normalize";
import { boundedMemo } from "../../app/core/bounded-memo";

export interface GraphqlNormalizeOptions {
  /** ISO 4217 code of the shop's currency, used when a node does not state one. */
  shopCurrency: string;
}

/**
 * Fields whose value may legitimately differ between this normaliser and the webhook normaliser
 * for the same Shopify object, and why. Everything else is equal (tested with the simulator).
 */
export const SHAPE_DIFFERENCES = {
  "order.payments[].paidAt":
    "GraphQL orders carry their transactions, so a paid boleto/Pix is dated by its successful SALE/CAPTURE transaction. " +
    "Order webhooks carry none: only orders/paid (its updated_at) and orders/create (placedAt) date the payment, other topics leave it null.",
  "customer.locale":
    "Customer.locale is always present in GraphQL; REST customers/* bodies have no locale (the webhook normaliser only learns it " +
    "from an order's customer_locale), so a top-level customer's locale is null from webhooks.",
  "order.landingSite":
    "GraphQL gives the visit's absolute landingPage URL; it is reduced to path + query, which equals REST landing_site for " +
    "visits on the shop's own domain.",
  "order.subtotalMinor":
    "GraphQL Order has no total_line_items_price; the subtotal is the sum of line items (originalUnitPrice × quantity), which is " +
    "what REST total_line_items_price is. It differs only if the line items were not fetched.",
} as const;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function lower(value: unknown): string | null {
  return typeof value === "string" ? value.toLowerCase() : null;
}

const NON_ZERO_DIGIT = /[1-9]/;

/** "gid://shopify/Order/123" (or "…/MailingAddress/9?model_name=CustomerAddress") → "123". Throws on anything else. */
export function platformIdFromGid(gid: unknown, what = "id"): string {
  if (typeof gid === "string") {
    const fast = plainGidId(gid);
    if (fast !== null) return fast;
    const match = /^gid:\/\/shopify\/[A-Za-z0-9]+\/(\d+)(?:\?.*)?$/.exec(gid.trim());
    // Digits name a positive number when one of them is not 0 (no BigInt per id).
    if (match?.[1] && NON_ZERO_DIGIT.test(match[1])) return match[1];
    if (/^\d+$/.test(gid.trim()) && NON_ZERO_DIGIT.test(gid)) return gid.trim();
  }
  throw new ShopifyPayloadError(`${what} is not a Shopify GID: ${JSON.stringify(gid)}`, "graphql");
}

const GID_PREFIX = "gid://shopify/";

/**
 * The id of a well-formed "gid://shopify/Type/123" (optionally "?…" after it, no line breaks) by
 * character scan: the bulk path reads several per order, and the regex below costs more. Null
 * when the text is anything else (padded, odd, or invalid): the regex then decides, as before.
 */
function plainGidId(gid: string): string | null {
  if (!gid.startsWith(GID_PREFIX)) return null;
  let end = gid.indexOf("?");
  if (end === -1) end = gid.length;
  else if (/[\n\r\u2028\u2029]/.test(gid)) return null;
  const slash = gid.lastIndexOf("/", end - 1);
  if (slash <= GID_PREFIX.length || slash + 1 >= end) return null;
  for (let i = GID_PREFIX.length; i < slash; i++) {
    const c = gid.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return null;
  }
  let nonZero = false;
  for (let i = slash + 1; i < end; i++) {
    const c = gid.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    if (c !== 48) nonZero = true;
  }
  return nonZero ? gid.slice(slash + 1, end) : null;
}

/** The id of a `{ id }` reference (a line item's product or variant), or null. */
export function optGidId(value: unknown): string | null {
  return isObject(value) && value.id != null ? platformIdFromGid(value.id) : null;
}

/**
 * Nodes of a connection: bulk children of `type` (whose parent is `parentId`), else the inline
 * `{ edges: [{ node }] }` or `{ nodes: [] }` of an ordinary query.
 */
function connectionNodes(node: Json, field: string, type: string, children: readonly Json[]): Json[] {
  const parentId = node.id;
  // The child is of that type: its id starts "gid://shopify/<type>/" (a prefix test, no regex per child).
  const prefix = `${GID_PREFIX}${type}/`;
  const fromChildren = children.filter(
    (child) => typeof child.id === "string" && child.id.startsWith(prefix) && (child.__parentId === undefined || child.__parentId === parentId),
  );
  if (fromChildren.length > 0) return fromChildren;
  const connection = node[field];
  if (Array.isArray(connection)) return connection.filter(isObject);
  if (!isObject(connection)) return [];
  if (Array.isArray(connection.nodes)) return connection.nodes.filter(isObject);
  if (Array.isArray(connection.edges)) {
    return connection.edges.map((edge) => (isObject(edge) ? edge.node : null)).filter(isObject);
  }
  return [];
}

/** MoneyBag → REST money set (shop money only; the normaliser reads nothing else). */
function moneySet(bag: unknown): Json | null {
  if (!isObject(bag) || !isObject(bag.shopMoney)) return null;
  return { shop_money: { amount: bag.shopMoney.amount, currency_code: bag.shopMoney.currencyCode } };
}

function shopAmount(bag: unknown): unknown {
  return isObject(bag) && isObject(bag.shopMoney) ? bag.shopMoney.amount : undefined;
}

function shopCurrencyOf(bag: unknown): string | null {
  return isObject(bag) && isObject(bag.shopMoney) ? str(bag.shopMoney.currencyCode) : null;
}

function restAddress(address: unknown, extra: Json = {}): Json | null {
  if (!isObject(address)) return null;
  return {
    ...(address.id != null ? { id: platformIdFromGid(address.id, "address id") } : {}),
    first_name: address.firstName ?? null,
    last_name: address.lastName ?? null,
    address1: address.address1 ?? null,
    address2: address.address2 ?? null,
    city: address.city ?? null,
    province: address.province ?? null,
    province_code: address.provinceCode ?? null,
    country: address.country ?? null,
    country_code: address.countryCodeV2 ?? address.countryCode ?? null,
    zip: address.zip ?? null,
    phone: address.phone ?? null,
    ...extra,
  };
}

// ------------------------------------------------------------------------------------------
// Customers
// ------------------------------------------------------------------------------------------

/** Customer node → REST customer body; `addresses` only when the node carries its address list. */
function restCustomer(c: Json, children: readonly Json[], withAddressList: boolean): Json {
  const email = isObject(c.defaultEmailAddress) ? c.defaultEmailAddress : null;
  const phone = isObject(c.defaultPhoneNumber) ? c.defaultPhoneNumber : null;
  const sms = phone && isObject(phone.smsMarketingConsent) ? phone.smsMarketingConsent : null;
  const defaultAddress = restAddress(c.defaultAddress, { default: true });
  const body: Json = {
    id: platformIdFromGid(c.id, "customer id"),
    email: email?.emailAddress ?? null,
    phone: phone?.phoneNumber ?? null,
    first_name: c.firstName ?? null,
    last_name: c.lastName ?? null,
    locale: c.locale ?? null,
    note: c.note ?? null,
    state: lower(c.state),
    tags: Array.isArray(c.tags) ? c.tags : (c.tags ?? null),
    created_at: c.createdAt ?? null,
    updated_at: c.updatedAt ?? null,
    email_marketing_consent: email ? { state: lower(email.marketingState), consent_updated_at: email.marketingUpdatedAt ?? null } : null,
    // 2026-10 moved SMS consent to smsMarketingConsent; older documents select the flat fields.
    sms_marketing_consent: phone
      ? {
          state: lower(sms?.state ?? phone.marketingState),
          consent_updated_at: (sms ? sms.updatedAt : phone.marketingUpdatedAt) ?? null,
        }
      : null,
    default_address: defaultAddress,
  };
  if (withAddressList) {
    const defaultId = defaultAddress?.id;
    body.addresses = connectionNodes(c, "addressesV2", "MailingAddress", children).map((address) => {
      const rest = restAddress(address) as Json;
      return { ...rest, default: defaultId !== undefined && rest.id === defaultId };
    });
  }
  return body;
}

function unwrap<K extends NormalizedChange["kind"]>(change: NormalizedChange, kind: K, what: string): Extract<NormalizedChange, { kind: K }> {
  if (change.kind !== kind) throw new ShopifyPayloadError(`${what} could not be normalised (${change.kind})`, "graphql");
  return change as Extract<NormalizedChange, { kind: K }>;
}

/** Runs the webhook normaliser, re-labelling its errors as GraphQL ones. */
function viaWebhookNormaliser(topic: string, body: Json, gid: unknown, opts: GraphqlNormalizeOptions): NormalizedChange {
  try {
    return normalizeShopifyWebhook(topic, body, { shopCurrency: opts.shopCurrency });
  } catch (error) {
    if (error instanceof ShopifyPayloadError) {
      const detail = error.message.replace(/^Shopify .+? payload: /, "");
      throw new ShopifyPayloadError(`${String(gid)}: ${detail}`, "graphql");
    }
    throw error;
  }
}

export function normalizeGraphqlCustomer(node: Json, children: readonly Json[] = [], opts: GraphqlNormalizeOptions): NormalizedCustomer {
  const body = restCustomer(node, children, true);
  return unwrap(viaWebhookNormaliser("customers/update", body, node.id, opts), "customer.upsert", String(node.id)).customer;
}

export interface CustomerStatistics {
  rfmGroup: string | null;
  predictedSpendTier: string | null;
}

/** Shopify's own RFM group and predicted spend tier (Customer.statistics), when selected. */
export function customerStatisticsOf(node: Json): CustomerStatistics | null {
  if (!isObject(node.statistics)) return null;
  return { rfmGroup: str(node.statistics.rfmGroup), predictedSpendTier: str(node.statistics.predictedSpendTier) };
}

// ------------------------------------------------------------------------------------------
// Orders
// ------------------------------------------------------------------------------------------

const FULFILLMENT_STATUS: Record<string, string | null> = {
  FULFILLED: "fulfilled",
  PARTIALLY_FULFILLED: "partial",
  RESTOCKED: "restocked",
  UNFULFILLED: null,
  SCHEDULED: null,
  ON_HOLD: null,
  OPEN: null,
  IN_PROGRESS: null,
  PENDING_FULFILLMENT: null,
  REQUEST_DECLINED: null,
};

/** displayFulfillmentStatus → REST fulfillment_status ("fulfilled" | "partial" | "restocked" | null). */
export function restFulfillmentStatus(status: unknown): string | null {
  if (typeof status !== "string") return null;
  const key = status.toUpperCase();
  return key in FULFILLMENT_STATUS ? (FULFILLMENT_STATUS[key] ?? null) : status.toLowerCase();
}

/** An absolute landing URL → "/path?query" as REST landing_site has it; relative values pass through. */
// Parsing a URL is the costly part, and a store's orders land on few distinct pages: remembered
// (bounded: boundedMemo), as normalize.ts remembers its folded names.
const landingSitePathOf = boundedMemo(landingSitePathUncached);

export function landingSitePath(url: unknown): string | null {
  return typeof url !== "string" || url.trim() === "" ? null : landingSitePathOf(url);
}

function landingSitePathUncached(url: string): string {
  const text = url.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  try {
    const parsed = new URL(text);
    return `${parsed.pathname}${parsed.search}${parsed.hash}`;
  } catch {
    return text;
  }
}

/** OrderTransaction node → REST transaction (what payment-method detection and refunds read). */
export function restTransaction(t: Json): Json {
  const details = isObject(t.paymentDetails) ? t.paymentDetails : null;
  return {
    id: t.id != null ? platformIdFromGid(t.id, "transaction id") : null,
    kind: lower(t.kind),
    status: lower(t.status),
    gateway: t.gateway ?? null,
    amount: shopAmount(t.amountSet) ?? null,
    currency: shopCurrencyOf(t.amountSet),
    created_at: t.createdAt ?? null,
    processed_at: t.processedAt ?? null,
    payment_details: details
      ? { credit_card_company: str(details.company), credit_card_bin: str(details.bin) }
      : null,
  };
}

function restLineItem(line: Json): Json {
  return {
    id: platformIdFromGid(line.id, "line item id"),
    product_id: optGidId(line.product),
    variant_id: optGidId(line.variant),
    sku: line.sku ?? null,
    title: line.title ?? null,
    name: line.name ?? null,
    vendor: line.vendor ?? null,
    quantity: line.quantity ?? null,
    price_set: moneySet(line.originalUnitPriceSet),
    discount_allocations: Array.isArray(line.discountAllocations)
      ? line.discountAllocations.filter(isObject).map((allocation) => ({ amount_set: moneySet(allocation.allocatedAmountSet) }))
      : [],
  };
}

/** Order node (+ its LineItem children) → REST order body. */
function restOrder(o: Json, children: readonly Json[]): Json {
  const journey = isObject(o.customerJourneySummary) ? o.customerJourneySummary : null;
  const visit = journey ? [journey.lastVisit, journey.firstVisit].find(isObject) : undefined;
  const transactions = (Array.isArray(o.transactions) ? o.transactions : []).filter(isObject).map(restTransaction);
  const refundTransactions = transactions.filter((transaction) => transaction.kind === "refund");
  const refundNodes = (Array.isArray(o.refunds) ? o.refunds : []).filter(isObject);
  // Refund amounts come from the REFUND transactions, as in webhooks; without transactions,
  // each refund's total stands for one successful refund transaction.
  const refunds =
    refundTransactions.length > 0
      ? [{ transactions: refundTransactions }]
      : refundNodes.map((refund) => ({
          id: refund.id != null ? platformIdFromGid(refund.id, "refund id") : null,
          created_at: refund.createdAt ?? null,
          transactions: shopAmount(refund.totalRefundedSet) !== undefined
            ? [{ kind: "refund", status: "success", amount: shopAmount(refund.totalRefundedSet), currency: shopCurrencyOf(refund.totalRefundedSet) }]
            : [],
        }));

  return {
    id: platformIdFromGid(o.id, "order id"),
    name: o.name ?? null,
    email: o.email ?? null,
    phone: o.phone ?? null,
    currency: o.currencyCode ?? null,
    presentment_currency: o.presentmentCurrencyCode ?? null,
    customer_locale: o.customerLocale ?? null,
    total_price_set: moneySet(o.totalPriceSet),
    subtotal_price_set: moneySet(o.subtotalPriceSet),
    total_discounts_set: moneySet(o.totalDiscountsSet),
    total_shipping_price_set: moneySet(o.totalShippingPriceSet),
    total_tax_set: moneySet(o.totalTaxSet),
    financial_status: o.displayFinancialStatus ?? null,
    fulfillment_status: restFulfillmentStatus(o.displayFulfillmentStatus),
    source_name: o.sourceName ?? null,
    landing_site: landingSitePath(visit?.landingPage),
    referring_site: visit?.referrerUrl ?? null,
    note_attributes: (Array.isArray(o.customAttributes) ? o.customAttributes : [])
      .filter(isObject)
      .map((attribute) => ({ name: attribute.key, value: attribute.value ?? null })),
    tags: Array.isArray(o.tags) ? o.tags : (o.tags ?? null),
    payment_gateway_names: Array.isArray(o.paymentGatewayNames) ? o.paymentGatewayNames : [],
    test: o.test === true,
    created_at: o.createdAt ?? null,
    processed_at: o.processedAt ?? null,
    updated_at: o.updatedAt ?? null,
    cancelled_at: o.cancelledAt ?? null,
    closed_at: o.closedAt ?? null,
    customer: isObject(o.customer) && !isCustomerReference(o.customer) ? restCustomer(o.customer, [], false) : null,
    billing_address: restAddress(o.billingAddress),
    shipping_address: restAddress(o.shippingAddress),
    line_items: connectionNodes(o, "lineItems", "LineItem", children).map(restLineItem),
    transactions,
    refunds,
  };
}

/**
 * An order's customer selected as `customer { id }` (the bulk orders query): a reference to a
 * customer loaded by the customers phase, not a customer to write (its other fields are not null,
 * they were not asked for).
 */
export function isCustomerReference(customer: unknown): customer is Json & { id: unknown } {
  if (!isObject(customer) || customer.id === undefined || customer.id === null) return false;
  for (const key in customer) if (key !== "id" && key !== "__typename") return false;
  return true;
}

export function normalizeGraphqlOrder(node: Json, children: readonly Json[] = [], opts: GraphqlNormalizeOptions): NormalizedOrder {
  // "orders/updated": a topic that does not itself date a payment; transactions do.
  const change = viaWebhookNormaliser("orders/updated", restOrder(node, children), node.id, opts);
  const order = unwrap(change, "order.upsert", String(node.id)).order;
  return isCustomerReference(node.customer) ? { ...order, customerRef: platformIdFromGid(node.customer.id, "customer id") } : order;
}

// ------------------------------------------------------------------------------------------
// Products
// ------------------------------------------------------------------------------------------

function restProduct(p: Json, children: readonly Json[]): Json {
  const media = isObject(p.featuredMedia) ? p.featuredMedia : null;
  const preview = media && isObject(media.preview) ? media.preview : null;
  const image = preview && isObject(preview.image) ? preview.image : null;
  return {
    id: platformIdFromGid(p.id, "product id"),
    title: p.title ?? null,
    handle: p.handle ?? null,
    vendor: p.vendor ?? null,
    product_type: p.productType ?? null,
    category: isObject(p.category) ? { name: p.category.name ?? null } : null,
    tags: Array.isArray(p.tags) ? p.tags : (p.tags ?? null),
    status: lower(p.status),
    created_at: p.createdAt ?? null,
    updated_at: p.updatedAt ?? null,
    image: image && typeof image.url === "string" ? { src: image.url } : null,
    variants: connectionNodes(p, "variants", "ProductVariant", children).map((variant) => ({
      id: platformIdFromGid(variant.id, "variant id"),
      title: variant.title ?? null,
      sku: variant.sku ?? null,
      price: variant.price ?? null,
      inventory_policy: lower(variant.inventoryPolicy),
      // REST inventory_management is "shopify" when Shopify tracks stock, null otherwise.
      inventory_management: isObject(variant.inventoryItem) && variant.inventoryItem.tracked === true ? "shopify" : null,
      inventory_quantity: variant.inventoryQuantity ?? null,
    })),
  };
}

export function normalizeGraphqlProduct(node: Json, children: readonly Json[] = [], opts: GraphqlNormalizeOptions): NormalizedProduct {
  const change = viaWebhookNormaliser("products/update", restProduct(node, children), node.id, opts);
  return unwrap(change, "product.upsert", String(node.id)).product;
}

// ------------------------------------------------------------------------------------------
// Bulk records
// ------------------------------------------------------------------------------------------

/** One record of readBulkJsonl → the upsert a webhook for the same object would have produced. */
export function normalizeBulkRecord(record: BulkRecord, opts: GraphqlNormalizeOptions): NormalizedChange {
  switch (record.kind) {
    case "customer":
      return { kind: "customer.upsert", customer: normalizeGraphqlCustomer(record.node, record.children, opts) };
    case "order":
      return { kind: "order.upsert", order: normalizeGraphqlOrder(record.node, record.children, opts) };
    case "product":
      return { kind: "product.upsert", product: normalizeGraphqlProduct(record.node, record.children, opts) };
  }
}
