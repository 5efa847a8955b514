// WooCommerce REST v3 resource (webhook body or REST page item) → platform-free changes. Pure: no
// I/O and no clock, so a replay, the backfill and the reconciliation all yield the same rows.
//
// What WooCommerce does differently from Shopify, and how it lands:
// - Guests are not WordPress users (customer_id 0): they become customers `guest:<email>`, whose
//   profile follows their newest order's billing details.
// - A registered customer embedded in an order is only billing data; it carries the epoch as its
//   modification time so it creates a missing customer but never overwrites what /customers said.
// - `checkout-draft` orders (block checkout) are not orders but checkouts; unpaid `pending`,
//   `failed` or auto-cancelled orders not paid by boleto/Pix are orders *and* open checkouts (a
//   failed or abandoned payment, recoverable through `payment_url`). Once an order is paid or
//   handled its checkout is marked completed. Whether an open checkout is abandoned (stale) is
//   decided by core from its last update.
// - `on-hold`/`pending` orders paid by boleto or Pix are unpaid payments, with the gateway's
//   boleto URL, barcode line, due date and Pix code (adapters/woocommerce/gateways.ts).
// - The Brazilian Market plugin's billing fields (CPF/CNPJ, neighbourhood, birth date, sex) are read
//   into the customer profile.
// Malformed input throws WooPayloadError: the receipt is marked failed, never half-applied.
import type { z } from "zod";
import type {
  Address,
  FinancialStatus,
  NormalizedChange,
  NormalizedCheckout,
  NormalizedCustomer,
  NormalizedOrder,
  NormalizedPayment,
  NormalizedProduct,
  PaymentStatus,
  SalesChannel,
} from "../../app/core/types";
import { gatewayDetails, paymentMethodOf } from "./gateways";
import {
  customerSchema,
  deletedSchema,
  orderSchema,
  productSchema,
  type ParsedWooCustomer,
  type ParsedWooOrder,
  type WooAddress,
  type WooMeta,
} from "./payloads";

export class WooPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WooPayloadError";
  }
}

export interface WooNormalizeOptions {
  /** The store's currency (products carry none). */
  storeCurrency: string;
}

function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new WooPayloadError(`WooCommerce ${what}: ${issue.path.join(".") || "body"}: ${issue.message}`);
}

// ------------------------------------------------------------------------------------------
// Money
// ------------------------------------------------------------------------------------------

function digitsOf(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "89.90" BRL → 8990n by string arithmetic (never floats); rounds half away from zero. */
export function wooMoney(amount: string, currency: string): bigint {
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(amount.trim());
  if (!m || (!m[2] && !m[3])) {
    if (amount.trim() === "") return 0n;
    throw new WooPayloadError(`"${amount}" is not a decimal amount`);
  }
  const digits = digitsOf(currency);
  const fraction = m[3] ?? "";
  let minor = BigInt((m[2] || "0") + fraction.slice(0, digits).padEnd(digits, "0"));
  if ((fraction.charAt(digits) || "0") >= "5") minor += 1n;
  return m[1] === "-" ? -minor : minor;
}

// ------------------------------------------------------------------------------------------
// Customers
// ------------------------------------------------------------------------------------------

const orNull = (v: string | undefined | null) => (v ? v : null);

function toAddress(a: WooAddress | null | undefined): Address | null {
  if (!a || !(a.address_1 || a.city || a.postcode)) return null;
  const line1 = [a.address_1, a.number].filter(Boolean).join(", ");
  return {
    line1: orNull(line1),
    line2: orNull(a.address_2),
    neighborhood: orNull(a.neighborhood),
    city: orNull(a.city),
    province: orNull(a.state),
    country: orNull(a.country),
    zip: orNull(a.postcode),
    phone: orNull(a.phone || a.cellphone),
  };
}

const metaValue = (meta: readonly WooMeta[], key: string): string | null => {
  const v = meta.find((m) => m.key === key)?.value;
  return typeof v === "string" && v.trim() ? v.trim() : null;
};

/** "15/03/1988" (as the plugin's form takes it) or "1988-03-15". */
function birthDateOf(text: string | null): Date | null {
  if (!text) return null;
  const br = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const iso = br ? `${br[3]}-${br[2]!.padStart(2, "0")}-${br[1]!.padStart(2, "0")}` : text.slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return null;
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso ? null : d;
}

function genderOf(text: string | null): string | null {
  const t = text?.trim().toLowerCase().charAt(0);
  if (!t) return null;
  return t === "f" ? "female" : t === "m" ? "male" : "other";
}

/** CPF (11 digits) for persons, CNPJ (14) for companies, as the plugin's `persontype` says. */
function taxIdOf(b: WooAddress, meta: readonly WooMeta[]): string | null {
  const cpf = (b.cpf || metaValue(meta, "billing_cpf") || "").replace(/\D/g, "");
  const cnpj = (b.cnpj || metaValue(meta, "billing_cnpj") || "").replace(/\D/g, "");
  const preferCompany = b.persontype?.toUpperCase() === "J" || b.persontype === "2";
  const ordered = preferCompany ? [cnpj, cpf] : [cpf, cnpj];
  return ordered.find((d) => d.length === 11 || d.length === 14) ?? null;
}

interface ProfileSource {
  platformId: string;
  email: string;
  firstName: string;
  lastName: string;
  billing: WooAddress;
  shipping: WooAddress | null | undefined;
  meta: readonly WooMeta[];
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** The customer meta key holding the segment tags we pushed (written by push-segments.server.ts). */
export const SEGMENTS_META_KEY = "_caderninho_segments";

function pushedSegmentTags(meta: readonly WooMeta[]): string[] {
  const value = metaValue(meta, SEGMENTS_META_KEY);
  return value ? value.split(",").map((tag) => tag.trim()).filter(Boolean) : [];
}

function profile(s: ProfileSource): NormalizedCustomer {
  const b = s.billing;
  const addresses = [toAddress(b), toAddress(s.shipping)].filter((a): a is Address => a !== null);
  const unique = addresses.filter((a, i) => addresses.findIndex((x) => JSON.stringify(x) === JSON.stringify(a)) === i);
  const main = unique[0] ?? null;
  return {
    platformId: s.platformId,
    email: s.email ? s.email.toLowerCase() : null,
    phone: orNull(b.phone || b.cellphone),
    firstName: orNull(s.firstName || b.first_name),
    lastName: orNull(s.lastName || b.last_name),
    city: main?.city ?? null,
    province: main?.province ?? null,
    country: main?.country ?? null,
    zip: main?.zip ?? null,
    addresses: unique,
    birthDate: birthDateOf(b.birthdate || metaValue(s.meta, "billing_birthdate")),
    gender: genderOf(b.gender || b.sex || metaValue(s.meta, "billing_sex") || metaValue(s.meta, "billing_gender")),
    taxId: taxIdOf(b, s.meta),
    locale: null,
    acceptsEmailMarketing: false,
    acceptsSmsMarketing: false,
    consentUpdatedAt: null,
    // WooCommerce customers have no tags; what we pushed back lives in our meta key, and reading
    // it here keeps Customer.tags the mirror the next push diffs against (see app/jobs/tag-push).
    tags: pushedSegmentTags(s.meta),
    note: null,
    platformCreatedAt: s.createdAt,
    platformUpdatedAt: s.updatedAt,
  };
}

export function normalizeWooCustomer(body: unknown): NormalizedCustomer {
  const c: ParsedWooCustomer = parse(customerSchema, body, "customer");
  if (c.id === 0) throw new WooPayloadError("WooCommerce customer: id is 0");
  return profile({
    platformId: String(c.id),
    email: c.email || c.billing?.email || "",
    firstName: c.first_name,
    lastName: c.last_name,
    billing: c.billing ?? {},
    shipping: c.shipping,
    meta: c.meta_data,
    createdAt: c.date_created_gmt,
    updatedAt: c.date_modified_gmt,
  });
}

/** The registered customer or the guest (by e-mail) an order belongs to; null for an anonymous guest. */
function orderCustomer(o: ParsedWooOrder): NormalizedCustomer | null {
  const b = o.billing ?? {};
  const email = (b.email ?? "").toLowerCase();
  const registered = o.customer_id !== null && o.customer_id !== undefined && o.customer_id > 0;
  if (!registered && !email) return null;
  return profile({
    platformId: registered ? String(o.customer_id) : `guest:${email}`,
    email,
    firstName: b.first_name ?? "",
    lastName: b.last_name ?? "",
    billing: b,
    shipping: o.shipping,
    meta: [],
    createdAt: registered ? null : o.date_created_gmt,
    updatedAt: registered ? new Date(0) : o.date_modified_gmt,
  });
}

// ------------------------------------------------------------------------------------------
// Orders
// ------------------------------------------------------------------------------------------

const CHANNELS: Record<string, SalesChannel> = { checkout: "web", "store-api": "web", admin: "draft", pos: "pos", "woocommerce-pos": "pos" };
const UNPAID = new Set(["pending", "on-hold"]);

function financialStatusOf(o: ParsedWooOrder, refunded: bigint, total: bigint): FinancialStatus {
  if (refunded > 0n) return refunded >= total ? "refunded" : "partially_refunded";
  switch (o.status) {
    case "pending":
    case "on-hold":
      return "pending";
    case "processing":
    case "completed":
      return "paid";
    case "refunded":
      return "refunded";
    case "cancelled":
      return o.date_paid_gmt ? "refunded" : "voided";
    case "failed":
      return "voided";
    default:
      // Plugins add statuses (shipped, delivered…): paid if WooCommerce recorded a payment.
      return o.date_paid_gmt ? "paid" : "pending";
  }
}

function paymentStatusOf(o: ParsedWooOrder): PaymentStatus {
  if (o.status === "refunded") return "refunded";
  if (o.status === "cancelled") return o.date_paid_gmt ? "refunded" : "cancelled";
  if (o.status === "failed") return "failed";
  if (UNPAID.has(o.status)) return "pending";
  return o.date_paid_gmt || o.status === "processing" || o.status === "completed" ? "paid" : "pending";
}

function orderPayment(o: ParsedWooOrder, method: NormalizedOrder["paymentMethod"], total: bigint): NormalizedPayment | null {
  if (method !== "boleto" && method !== "pix") return null;
  const d = gatewayDetails(o.meta_data);
  const status = paymentStatusOf(o);
  return {
    platformId: `order:${o.id}:${method}`,
    method,
    gateway: orNull(o.payment_method),
    status,
    amountMinor: total,
    currency: o.currency.toUpperCase(),
    boletoUrl: method === "boleto" ? d.boletoUrl : null,
    boletoBarcode: method === "boleto" ? d.boletoBarcode : null,
    pixCode: method === "pix" ? d.pixCode : null,
    dueAt: d.dueAt,
    paidAt: status === "paid" ? (o.date_paid_gmt ?? null) : null,
    createdAt: o.date_created_gmt ?? new Date(0),
  };
}

const attribution = (meta: readonly WooMeta[], field: string) => metaValue(meta, `_wc_order_attribution_${field}`);

function toOrder(o: ParsedWooOrder, customer: NormalizedCustomer | null): NormalizedOrder {
  const currency = o.currency.toUpperCase();
  const lines = o.line_items.map((l) => {
    const gross = wooMoney(l.subtotal, currency);
    const net = wooMoney(l.total, currency);
    const quantity = Math.max(l.quantity, 0);
    return {
      platformId: String(l.id),
      productId: l.product_id ? String(l.product_id) : null,
      variantId: l.variation_id ? String(l.variation_id) : null,
      sku: orNull(l.sku),
      title: l.name || "(item)",
      category: null,
      quantity,
      unitPriceMinor: quantity ? gross / BigInt(quantity) : gross,
      discountMinor: gross - net,
      totalMinor: net,
    };
  });
  const total = wooMoney(o.total, currency);
  // Refunds are listed with negative totals ("-10.00").
  const refunded = o.refunds.reduce((sum, r) => {
    const amount = wooMoney(r.total, currency);
    return sum + (amount < 0n ? -amount : amount);
  }, 0n);
  const method = paymentMethodOf(o.payment_method, o.payment_method_title);
  const payment = orderPayment(o, method, total);
  const placedAt = o.date_created_gmt;
  if (!placedAt) throw new WooPayloadError(`WooCommerce order ${o.id}: date_created_gmt is missing`);
  return {
    platformId: String(o.id),
    name: `#${o.number ?? o.id}`,
    customer,
    email: orNull(o.billing?.email?.toLowerCase()),
    currency,
    subtotalMinor: lines.reduce((s, l) => s + l.unitPriceMinor * BigInt(l.quantity), 0n),
    discountMinor: wooMoney(o.discount_total ?? "0", currency),
    shippingMinor: wooMoney(o.shipping_total ?? "0", currency),
    taxMinor: wooMoney(o.total_tax ?? "0", currency),
    totalMinor: total,
    refundedMinor: refunded,
    financialStatus: financialStatusOf(o, refunded, total),
    fulfillmentStatus: o.status === "completed" ? "fulfilled" : null,
    channel: CHANNELS[o.created_via] ?? (o.created_via ? "other" : "web"),
    paymentMethod: method,
    gateways: o.payment_method ? [o.payment_method] : [],
    tags: o.coupon_lines.map((c) => c.code).filter(Boolean),
    landingSite: attribution(o.meta_data, "session_entry"),
    referringSite: attribution(o.meta_data, "referrer"),
    utmSource: attribution(o.meta_data, "utm_source"),
    utmMedium: attribution(o.meta_data, "utm_medium"),
    utmCampaign: attribution(o.meta_data, "utm_campaign"),
    test: false,
    placedAt,
    cancelledAt: o.status === "cancelled" ? (o.date_modified_gmt ?? placedAt) : null,
    closedAt: o.date_completed_gmt,
    platformUpdatedAt: o.date_modified_gmt,
    lines,
    payments: payment ? [payment] : [],
  };
}

function toCheckout(o: ParsedWooOrder, customer: NormalizedCustomer | null, order: NormalizedOrder | null, completed: boolean): NormalizedCheckout {
  const currency = o.currency.toUpperCase();
  return {
    platformId: `order:${o.id}`,
    customer,
    email: orNull(o.billing?.email?.toLowerCase()),
    phone: orNull(o.billing?.phone),
    recoveryUrl: orNull(o.payment_url),
    currency,
    totalMinor: wooMoney(o.total, currency),
    lines: o.line_items.map((l) => ({
      productId: l.product_id ? String(l.product_id) : null,
      variantId: l.variation_id ? String(l.variation_id) : null,
      title: l.name,
      quantity: l.quantity,
      unitPriceMinor: l.quantity ? wooMoney(l.subtotal, currency) / BigInt(l.quantity) : 0n,
      imageUrl: null,
    })),
    startedAt: o.date_created_gmt ?? new Date(0),
    platformUpdatedAt: o.date_modified_gmt,
    completedAt: completed ? (o.date_created_gmt ?? null) : null,
    completedOrderId: completed && order ? order.platformId : null,
  };
}

/** One order resource → the changes it means (see the header for the rules). */
export function normalizeWooOrder(body: unknown): NormalizedChange[] {
  const o = parse(orderSchema, body, "order");
  if (o.status === "trash") return [{ kind: "order.delete", platformId: String(o.id) }];
  const customer = orderCustomer(o);
  const viaCheckout = o.created_via === "checkout" || o.created_via === "store-api" || o.status === "checkout-draft";
  const hasContact = Boolean(o.billing?.email);
  if (o.status === "checkout-draft") {
    return hasContact ? [{ kind: "checkout.upsert", checkout: toCheckout(o, customer, null, false) }] : [{ kind: "ignored", reason: `checkout draft ${o.id} without an e-mail` }];
  }
  const order = toOrder(o, customer);
  const changes: NormalizedChange[] = [{ kind: "order.upsert", order }];
  // The checkout went through if the order was paid, is being handled, or awaits a boleto/Pix.
  // Otherwise (pending, failed, or cancelled unpaid — WooCommerce cancels unpaid orders itself after
  // the hold-stock time) it stays an open checkout: the customer left before paying.
  const placed = o.date_paid_gmt !== null || ["processing", "completed", "refunded", "on-hold"].includes(o.status) || order.payments.length > 0;
  if (viaCheckout && hasContact) changes.push({ kind: "checkout.upsert", checkout: toCheckout(o, customer, order, placed) });
  return changes;
}

// ------------------------------------------------------------------------------------------
// Products
// ------------------------------------------------------------------------------------------

const PRODUCT_STATUS: Record<string, string> = { publish: "active", draft: "draft", pending: "draft", private: "archived", trash: "archived" };

export function normalizeWooProduct(body: unknown, opts: WooNormalizeOptions): NormalizedProduct {
  const p = parse(productSchema, body, "product");
  const currency = opts.storeCurrency;
  const priceMinor = p.price ? wooMoney(p.price, currency) : null;
  const inStock = p.stock_status !== "outofstock";
  return {
    platformId: String(p.id),
    title: p.name || `#${p.id}`,
    handle: orNull(p.slug),
    vendor: null,
    category: p.categories[0]?.name || null,
    tags: p.tags.map((t) => t.name).filter(Boolean),
    status: PRODUCT_STATUS[p.status] ?? (p.status || "active"),
    imageUrl: p.images[0]?.src || null,
    priceMinor,
    currency,
    // Variable products list only variation ids; their variations are not fetched here.
    variants: p.type === "variable" ? [] : [{ id: String(p.id), title: p.name, sku: orNull(p.sku), priceMinor: (priceMinor ?? 0n).toString(), available: inStock }],
    inStock,
    platformUpdatedAt: p.date_modified_gmt,
  };
}

// ------------------------------------------------------------------------------------------
// Webhooks
// ------------------------------------------------------------------------------------------

/** The changes one webhook delivery (X-WC-Webhook-Topic + JSON body) means. */
export function normalizeWooWebhook(topic: string, body: unknown, opts: WooNormalizeOptions): NormalizedChange[] {
  const [resource, event] = topic.trim().toLowerCase().split(".");
  if (event === "deleted") {
    const { id } = parse(deletedSchema, body, `${topic} payload`);
    if (resource === "customer") return [{ kind: "customer.delete", platformId: String(id) }];
    if (resource === "order") return [{ kind: "order.delete", platformId: String(id) }];
    if (resource === "product") return [{ kind: "product.delete", platformId: String(id) }];
  } else if (event === "created" || event === "updated" || event === "restored") {
    if (resource === "customer") return [{ kind: "customer.upsert", customer: normalizeWooCustomer(body) }];
    if (resource === "order") return normalizeWooOrder(body);
    if (resource === "product") return [{ kind: "product.upsert", product: normalizeWooProduct(body, opts) }];
  }
  return [{ kind: "ignored", reason: `topic ${topic} is not used` }];
}
