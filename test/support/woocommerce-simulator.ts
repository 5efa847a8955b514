// An in-process WooCommerce store that speaks REST v3 (/wp-json/wc/v3) and the app authorisation
// endpoint (/wc-auth/v1/authorize) over real HTTP, filled from the same seeded shop model as the
// Shopify simulator (adapters/shopify/simulator/plan.ts) rendered the way WooCommerce writes it:
// registered customers and guests (customer_id 0), orders of every status, `checkout-draft`
// orders for abandoned block checkouts, Brazilian gateways (PagBank, Pagar.me, Mercado Pago…)
// with their order meta, and the Brazilian Market plugin's billing fields.
//
// What it enforces, as WooCommerce does:
// - OAuth 1.0a one-legged query signing over http (HMAC-SHA256/SHA1, signature base string as in
//   class-wc-rest-authentication.php, 15-minute timestamp window, single-use nonces) or Basic auth
//   (as over https); bad or revoked keys get 401 with WordPress's error body;
// - pagination: `page`, `per_page` (1..100, else 400 rest_invalid_param), `X-WP-Total`,
//   `X-WP-TotalPages`, `Link`; `modified_after` on orders and products; orders' `status=any`
//   leaves `checkout-draft` out (WooCommerce ≥ 10.8), `status=checkout-draft` asks for them;
// - /customers/batch takes at most 100 items and updates meta by key, leaving other keys alone;
// - webhooks: CRUD with `status` active/paused/disabled, a form-encoded ping on creation (a
//   webhook whose ping fails is created disabled), signed deliveries with the real X-WC-Webhook-*
//   headers and PHP-style JSON (escaped slashes), failure counting and disabling after 5 failures;
// - failures can be injected: the next N matching REST requests answer 429 (Retry-After), 5xx, or
//   drop the connection.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { planStore, SHOP_NAME } from "../../adapters/shopify/simulator/plan.ts";
import { createRng, type Rng } from "../../adapters/shopify/simulator/random.ts";
import { DAY, orderStateAt, orderTotalCents, lineGrossCents, type SimCheckout, type SimCustomer, type SimOrder, type SimProduct } from "../../adapters/shopify/simulator/model.ts";
import { handleize } from "../../adapters/shopify/simulator/catalog.ts";
import { DEFAULT_SIMULATION_NOW } from "../../adapters/shopify/simulator/store-simulator.ts";
import type { PaymentMethod } from "../../app/core/types.ts";
import type { WooWebhook } from "../../adapters/woocommerce/payloads.ts";

type Json = Record<string, unknown>;
type Meta = { id: number; key: string; value: unknown };

export type WooFailure =
  | { status: 429; retryAfterSeconds?: number }
  | { status: 500 | 502 | 503 | 504 }
  | { drop: true }
  /** Read the request and never answer (the client's timeout must fire). */
  | { hang: true };

export interface WooSimulatorOptions {
  seed: number;
  customers: number;
  now?: Date;
  /** Accept http callback URLs in /wc-auth (WooCommerce requires https; tests run on http). */
  allowHttpCallback?: boolean;
}

/** What an ingester should hold after a full sync (derived from the plan, not from our normaliser). */
export interface WooExpected {
  products: number;
  registeredCustomers: number;
  /** Registered customers plus guests with an e-mail on an order or a draft checkout. */
  customers: number;
  orders: number;
  /** Orders without a WordPress user (customer_id 0). */
  guestOrders: number;
  /** Guest orders without any e-mail (walk-in POS sales): no customer at all. */
  anonymousOrders: number;
  cancelledOrders: number;
  revenueMinor: bigint;
  refundedMinor: bigint;
  ordersByPaymentMethod: Record<PaymentMethod, number>;
  boletosUnpaid: number;
  pixUnpaid: number;
  draftCheckouts: number;
  /** Drafts plus web orders with an e-mail left unpaid by card (pending, failed or cancelled). */
  openCheckouts: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number | "dropped" | "hung";
}

export interface DeliveryResult {
  webhookId: number;
  status: number | "error";
}

export interface WooSimulator {
  /** Site URL, "http://127.0.0.1:PORT". */
  readonly url: string;
  readonly consumerKey: string;
  readonly consumerSecret: string;
  expected(): WooExpected;
  readonly requests: readonly RequestLogEntry[];
  /** The next `count` REST requests whose path + query string matches fail this way. */
  failNext(count: number, failure: WooFailure, match?: RegExp): void;
  /** Forget injected failures not used up yet. */
  clearFailures(): void;
  /** An outage: for the next `ms` milliseconds every REST request fails, taking the given kinds in turn. */
  failFor(ms: number, kinds: WooFailure[]): void;
  /** Delete the API keys (as a merchant revoking access does): every request gets 401. */
  revokeKeys(): void;
  /** Issue a new key pair (what /wc-auth or the admin screen does). */
  issueKeys(): { consumerKey: string; consumerSecret: string };
  webhooks(): (WooWebhook & { failure_count: number })[];
  setWebhookStatus(id: number, status: WooWebhook["status"]): void;
  deleteWebhook(id: number): void;
  customer(id: number): Json;
  order(id: number): Json;
  customerIds(): number[];
  orderIds(filter?: (o: Json) => boolean): number[];
  /** Change a customer (bumps date_modified) and deliver customer.updated. */
  updateCustomer(id: number, patch: Json): Promise<DeliveryResult[]>;
  deleteCustomer(id: number): Promise<DeliveryResult[]>;
  /** Change an order (bumps date_modified) and deliver order.updated. */
  updateOrder(id: number, patch: Json): Promise<DeliveryResult[]>;
  /** Change an order without any webhook (a missed delivery, to be healed by reconciliation). */
  updateOrderSilently(id: number, patch: Json): void;
  /** Deliver `payload` on `topic` to every active webhook of that topic, as WooCommerce does. */
  deliver(topic: string, payload: Json, opts?: { secret?: string }): Promise<DeliveryResult[]>;
  /** Answer REST requests after this many ms (to make concurrency observable). */
  setLatency(ms: number): void;
  /** Most REST requests in progress at once since the last reset. */
  peakConcurrency(reset?: boolean): number;
  /** Every /customers/batch request body received. */
  readonly batchCalls: readonly Json[];
  close(): Promise<void>;
}

// ------------------------------------------------------------------------------------------
// Rendering the plan as WooCommerce resources
// ------------------------------------------------------------------------------------------

const money = (cents: number) => `${Math.trunc(cents / 100)}.${String(Math.abs(cents) % 100).padStart(2, "0")}`;
const gmt = (d: Date) => d.toISOString().slice(0, 19);
const local = (d: Date) => new Date(d.getTime() - 3 * 3600_000).toISOString().slice(0, 19);
const stamp = (field: string, d: Date | null) => ({ [field]: d ? local(d) : null, [`${field}_gmt`]: d ? gmt(d) : null });

/** A CPF with valid check digits. */
function cpf(rng: Rng): string {
  const base = Array.from({ length: 9 }, () => rng.int(0, 9));
  const dv = (digits: number[]) => {
    const sum = digits.reduce((s, d, i) => s + d * (digits.length + 1 - i), 0);
    const r = (sum * 10) % 11;
    return r === 10 ? 0 : r;
  };
  const d1 = dv(base);
  const d2 = dv([...base, d1]);
  const s = [...base, d1, d2].join("");
  return `${s.slice(0, 3)}.${s.slice(3, 6)}.${s.slice(6, 9)}-${s.slice(9)}`;
}

const NEIGHBORHOODS = ["Centro", "Jardim Paulista", "Vila Mariana", "Boa Viagem", "Savassi", "Moinhos de Vento", "Batel", "Meireles", "Pituba", "Copacabana"];

interface Person {
  cpf: string;
  birthdate: string;
  gender: "F" | "M";
  neighborhood: string;
}

function billingOf(c: SimCustomer, p: Person): Json {
  return {
    first_name: c.firstName,
    last_name: c.lastName,
    company: "",
    address_1: c.street.address1.replace(/, \d+$/, ""),
    address_2: c.street.address2 ?? "",
    city: c.city.name,
    state: c.city.stateCode,
    postcode: c.zip,
    country: "BR",
    email: c.email,
    phone: c.phone ?? "",
    // Brazilian Market on WooCommerce (woocommerce_rest_prepare_* filters).
    number: /, (\d+)$/.exec(c.street.address1)?.[1] ?? "s/n",
    neighborhood: p.neighborhood,
    persontype: "F",
    cpf: p.cpf,
    rg: "",
    cnpj: "",
    ie: "",
    birthdate: p.birthdate,
    gender: p.gender,
    cellphone: c.phone ?? "",
  };
}

const shippingOf = (billing: Json): Json => {
  const { email: _e, phone: _p, persontype: _t, cpf: _c, rg: _r, cnpj: _n, ie: _i, birthdate: _b, gender: _g, cellphone: _m, ...rest } = billing;
  return rest;
};

interface GatewayChoice {
  id: string;
  title: string;
  unpaidStatus: "on-hold" | "pending";
  meta: (notes: { name: string; value: string }[]) => { key: string; value: string }[];
}

const note = (notes: { name: string; value: string }[], ...names: string[]) => notes.find((n) => names.includes(n.name))?.value ?? "";
const pixNote = (notes: { name: string; value: string }[]) => notes.find((n) => n.value.startsWith("000201"))?.value ?? "";

// Meta keys: PagBank's and Mercado Pago's boleto keys are from their plugins' source; the Pix keys
// are illustrative (our reader recognises a Pix code by its value, not its key).
const GATEWAYS: Record<string, GatewayChoice> = {
  "boleto:PagBank": {
    id: "pagbank_boleto",
    title: "Boleto (PagBank)",
    unpaidStatus: "on-hold",
    meta: (n) => [
      { key: "_pagbank_boleto_link_pdf", value: note(n, "boleto_url") },
      { key: "_pagbank_boleto_barcode", value: note(n, "linha_digitavel", "boleto_barcode") },
      { key: "_pagbank_boleto_expiration_date", value: note(n, "boleto_due_date") },
    ],
  },
  "boleto:Pagar.me": { id: "woo-pagarme-payments-billet", title: "Boleto", unpaidStatus: "on-hold", meta: () => [] },
  "boleto:Mercado Pago": { id: "woo-mercado-pago-ticket", title: "Boleto e lotérica", unpaidStatus: "pending", meta: (n) => [{ key: "_transaction_details_ticket", value: note(n, "boleto_url") }] },
  "boleto:Boleto Bancário": { id: "boleto", title: "Boleto Bancário", unpaidStatus: "on-hold", meta: () => [] },
  "pix:PagBank": { id: "pagbank_pix", title: "Pix (PagBank)", unpaidStatus: "on-hold", meta: (n) => [{ key: "_pagbank_pix_qr_code_text", value: pixNote(n) }] },
  "pix:Pagar.me": { id: "woo-pagarme-payments-pix", title: "Pix", unpaidStatus: "on-hold", meta: (n) => [{ key: "_pagarme_pix_qr_code", value: pixNote(n) }] },
  "pix:Mercado Pago": { id: "woo-mercado-pago-pix", title: "Pix", unpaidStatus: "pending", meta: (n) => [{ key: "mp_pix_qr_code", value: pixNote(n) }] },
  "pix:Pix": { id: "wc_piggly_pix_gateway", title: "Pix", unpaidStatus: "on-hold", meta: (n) => [{ key: "_pix_copia_e_cola", value: pixNote(n) }] },
  cash: { id: "cod", title: "Dinheiro na entrega", unpaidStatus: "on-hold", meta: () => [] },
  manual: { id: "bacs", title: "Transferência bancária", unpaidStatus: "on-hold", meta: () => [] },
};
const CARD_GATEWAYS: GatewayChoice[] = [
  { id: "pagbank_credit_card", title: "Cartão de crédito (PagBank)", unpaidStatus: "pending", meta: () => [] },
  { id: "woo-pagarme-payments-credit_card", title: "Cartão de crédito", unpaidStatus: "pending", meta: () => [] },
  { id: "stripe", title: "Credit Card (Stripe)", unpaidStatus: "pending", meta: () => [] },
];

function gatewayOf(o: SimOrder, index: number): GatewayChoice {
  if (o.method === "card") return CARD_GATEWAYS[index % CARD_GATEWAYS.length]!;
  if (o.method === "cash" || o.method === "manual") return GATEWAYS[o.method]!;
  return GATEWAYS[`${o.method}:${o.gateway}`] ?? GATEWAYS[`${o.method}:Pagar.me`]!;
}

function lineItems(lines: { product: SimProduct; variant: SimProduct["variants"][number]; quantity: number; discountCents?: number }[], ids: { productId: (p: SimProduct) => number; next: () => number }) {
  return lines.map((l) => {
    const gross = lineGrossCents(l);
    const simple = l.product.variants.length === 1;
    return {
      id: ids.next(),
      name: simple ? l.product.catalog.title : `${l.product.catalog.title} - ${l.variant.catalog.option}`,
      product_id: ids.productId(l.product),
      variation_id: simple ? 0 : ids.productId(l.product) * 100 + l.variant.position,
      quantity: l.quantity,
      tax_class: "",
      subtotal: money(gross),
      subtotal_tax: "0.00",
      total: money(gross - (l.discountCents ?? 0)),
      total_tax: "0.00",
      taxes: [],
      meta_data: [],
      sku: l.variant.sku,
      price: l.variant.catalog.priceCents / 100,
    };
  });
}

interface Rendered {
  products: Map<number, Json>;
  customers: Map<number, Json>;
  orders: Map<number, Json>;
  expected: WooExpected;
}

function render(opts: Required<Pick<WooSimulatorOptions, "seed" | "customers">> & { now: Date; siteUrl: () => string }): Rendered {
  const rng = createRng(opts.seed);
  const plan = planStore(rng, opts.customers, opts.now);
  const now = plan.now;
  let metaId = 1;
  const meta = (key: string, value: unknown): Meta => ({ id: metaId++, key, value });

  const productIds = new Map<SimProduct, number>();
  const products = new Map<number, Json>();
  plan.products.forEach((p, i) => {
    const id = 10 + i * 10;
    productIds.set(p, id);
    const simple = p.variants.length === 1;
    const prices = p.variants.map((v) => v.catalog.priceCents);
    products.set(id, {
      id,
      name: p.catalog.title,
      slug: p.handle,
      permalink: `${opts.siteUrl()}/produto/${p.handle}/`,
      ...stamp("date_created", p.createdAt),
      ...stamp("date_modified", p.createdAt),
      type: simple ? "simple" : "variable",
      status: "publish",
      sku: simple ? p.variants[0]!.sku : "",
      price: money(Math.min(...prices)),
      regular_price: simple ? money(prices[0]!) : "",
      stock_status: p.variants.every((v) => v.inventory === 0) ? "outofstock" : "instock",
      categories: [{ id: 100 + ["Cosméticos", "Café", "Moda", "Casa"].indexOf(p.catalog.category), name: p.catalog.category, slug: handleize(p.catalog.category) }],
      tags: p.catalog.tags.map((t, j) => ({ id: 200 + j, name: t, slug: handleize(t) })),
      images: [{ id: id + 1, src: `${opts.siteUrl()}/wp-content/uploads/${p.handle}.jpg`, name: p.handle, alt: "" }],
      attributes: p.catalog.optionName ? [{ id: 0, name: p.catalog.optionName, options: p.variants.map((v) => v.catalog.option ?? "") }] : [],
      variations: simple ? [] : p.variants.map((v) => id * 100 + v.position),
      meta_data: [],
    });
  });

  const persons = new Map<SimCustomer, Person>();
  const personOf = (c: SimCustomer): Person => {
    let p = persons.get(c);
    if (!p) {
      const year = rng.int(1960, 2005);
      p = { cpf: cpf(rng), birthdate: `${String(rng.int(1, 28)).padStart(2, "0")}/${String(rng.int(1, 12)).padStart(2, "0")}/${year}`, gender: rng.chance(0.62) ? "F" : "M", neighborhood: rng.pick(NEIGHBORHOODS) };
      persons.set(c, p);
    }
    return p;
  };

  const userIds = new Map<SimCustomer, number>();
  const customers = new Map<number, Json>();
  plan.customers.forEach((c, i) => {
    if (!c.hasAccount) return;
    const id = 2 + i;
    userIds.set(c, id);
    const billing = billingOf(c, personOf(c));
    const modified = c.consentChange && c.consentChange.at <= now ? c.consentChange.at : c.createdAt;
    customers.set(id, {
      id,
      ...stamp("date_created", c.createdAt),
      ...stamp("date_modified", modified),
      email: c.email,
      first_name: c.firstName,
      last_name: c.lastName,
      role: "customer",
      username: c.email.split("@")[0],
      billing,
      shipping: shippingOf(billing),
      is_paying_customer: false,
      avatar_url: `https://secure.gravatar.com/avatar/${createHash("md5").update(c.email).digest("hex")}?s=96&d=mm&r=g`,
      // Another plugin's meta: push-back must leave it alone.
      meta_data: [meta("mailchimp_woocommerce_is_subscribed", c.emailSubscribed ? "1" : "0")],
    });
  });

  // Orders and draft checkouts share WordPress's post id sequence, in time order.
  type Entry = { at: Date; order?: SimOrder; draft?: SimCheckout };
  const entries: Entry[] = [...plan.orders.map((order) => ({ at: order.placedAt, order })), ...plan.checkouts.filter((c) => !c.completedAt).map((draft) => ({ at: draft.createdAt, draft }))];
  entries.sort((a, b) => a.at.getTime() - b.at.getTime());
  let lineId = 1;
  const ids = { productId: (p: SimProduct) => productIds.get(p)!, next: () => lineId++ };
  const orders = new Map<number, Json>();
  const expected: WooExpected = {
    products: products.size,
    registeredCustomers: customers.size,
    customers: 0,
    orders: plan.orders.length,
    guestOrders: 0,
    anonymousOrders: 0,
    cancelledOrders: 0,
    revenueMinor: 0n,
    refundedMinor: 0n,
    ordersByPaymentMethod: { card: 0, boleto: 0, pix: 0, other: 0 },
    boletosUnpaid: 0,
    pixUnpaid: 0,
    draftCheckouts: 0,
    openCheckouts: 0,
  };
  const guestEmails = new Set<string>();
  let number = 1000;
  entries.forEach((entry, index) => {
    const id = 500 + index;
    if (entry.draft) {
      const d = entry.draft;
      const userId = userIds.get(d.customer) ?? 0;
      if (!userId) guestEmails.add(d.customer.email);
      expected.draftCheckouts += 1;
      const billing = billingOf(d.customer, personOf(d.customer));
      const total = d.lines.reduce((s, l) => s + lineGrossCents(l), 0);
      orders.set(id, {
        ...orderShell(id, String(id), "checkout-draft", "store-api", userId, billing),
        ...stamp("date_created", d.createdAt),
        ...stamp("date_modified", d.updatedAt <= now ? d.updatedAt : d.createdAt),
        total: money(total),
        line_items: lineItems(d.lines, ids),
      });
      return;
    }
    const o = entry.order!;
    const state = orderStateAt(o, now);
    const gateway = gatewayOf(o, index);
    const userId = o.customer ? (userIds.get(o.customer) ?? 0) : 0;
    const total = orderTotalCents(o);
    const method: PaymentMethod = o.method === "cash" || o.method === "manual" ? "other" : o.method;
    expected.ordersByPaymentMethod[method] += 1;
    if (!userId) {
      expected.guestOrders += 1;
      if (o.customer) guestEmails.add(o.customer.email);
      else expected.anonymousOrders += 1;
    }
    if (state.cancelled) expected.cancelledOrders += 1;
    else expected.revenueMinor += BigInt(total);
    if (state.refund) expected.refundedMinor += BigInt(state.refund.amountCents);
    if (!state.paid && !state.cancelled && o.method === "boleto") expected.boletosUnpaid += 1;
    if (!state.paid && !state.cancelled && o.method === "pix") expected.pixUnpaid += 1;
    if (o.channel === "web" && o.customer && !state.paid && o.method === "card") expected.openCheckouts += 1;
    const status = state.cancelled
      ? "cancelled"
      : state.refund
        ? state.refund.amountCents >= total
          ? "refunded"
          : "completed"
        : state.paid
          ? state.fulfilled
            ? "completed"
            : "processing"
          : gateway.unpaidStatus;
    const moments = [o.placedAt, o.paidAt, o.cancelledAt, state.refund?.at ?? null, state.fulfilled ? o.fulfilledAt : null].filter((d): d is Date => d !== null && d <= now);
    const modified = new Date(Math.max(...moments.map((d) => d.getTime())));
    const billing = o.customer ? billingOf(o.customer, personOf(o.customer)) : { first_name: "", last_name: "", email: "", phone: "", country: "BR" };
    const attribution = o.landingSite
      ? [meta("_wc_order_attribution_session_entry", o.landingSite), meta("_wc_order_attribution_referrer", o.referringSite ?? ""), ...utm(o.landingSite).map(([k, v]) => meta(`_wc_order_attribution_utm_${k}`, v))]
      : [];
    orders.set(id, {
      ...orderShell(id, String(++number), status, o.channel === "web" ? "checkout" : o.channel === "pos" ? "pos" : "admin", userId, billing),
      ...stamp("date_created", o.placedAt),
      ...stamp("date_modified", modified),
      ...stamp("date_paid", state.paid ? o.paidAt : null),
      ...stamp("date_completed", status === "completed" ? (o.fulfilledAt ?? modified) : null),
      discount_total: money(o.lines.reduce((s, l) => s + l.discountCents, 0)),
      shipping_total: money(o.shipping?.priceCents ?? 0),
      total: money(total),
      payment_method: gateway.id,
      payment_method_title: gateway.title,
      transaction_id: state.paid ? rng.hex(16) : "",
      meta_data: [...gateway.meta(o.noteAttributes).filter((m) => m.value).map((m) => meta(m.key, m.value)), ...attribution],
      line_items: lineItems(o.lines, ids),
      shipping_lines: o.shipping ? [{ id: lineId++, method_title: o.shipping.title, method_id: "flat_rate", total: money(o.shipping.priceCents), total_tax: "0.00", taxes: [] }] : [],
      coupon_lines: o.discountCode ? [{ id: lineId++, code: o.discountCode.code.toLowerCase(), discount: money(o.lines.reduce((s, l) => s + l.discountCents, 0)) }] : [],
      refunds: state.refund ? [{ id: 90_000 + index, reason: "", total: `-${money(state.refund.amountCents)}` }] : [],
    });
  });
  expected.customers = customers.size + guestEmails.size;
  expected.openCheckouts += expected.draftCheckouts;
  return { products, customers, orders, expected };
}

function utm(landing: string): [string, string][] {
  const q = new URL(landing, "https://x").searchParams;
  return (["source", "medium", "campaign"] as const).flatMap((k) => (q.get(`utm_${k}`) ? [[k, q.get(`utm_${k}`)!] as [string, string]] : []));
}

function orderShell(id: number, number: string, status: string, createdVia: string, customerId: number, billing: Json): Json {
  return {
    id,
    parent_id: 0,
    status,
    currency: "BRL",
    version: "10.3.0",
    prices_include_tax: false,
    discount_total: "0.00",
    discount_tax: "0.00",
    shipping_total: "0.00",
    shipping_tax: "0.00",
    cart_tax: "0.00",
    total_tax: "0.00",
    customer_id: customerId,
    order_key: `wc_order_${createHash("sha1").update(String(id)).digest("hex").slice(0, 13)}`,
    billing,
    shipping: shippingOf(billing),
    payment_method: "",
    payment_method_title: "",
    transaction_id: "",
    customer_ip_address: "",
    customer_user_agent: "",
    created_via: createdVia,
    customer_note: "",
    date_completed: null,
    date_completed_gmt: null,
    date_paid: null,
    date_paid_gmt: null,
    cart_hash: "",
    number,
    meta_data: [],
    line_items: [],
    tax_lines: [],
    shipping_lines: [],
    fee_lines: [],
    coupon_lines: [],
    refunds: [],
    payment_url: `http://loja.example/finalizar-compra/order-pay/${id}/?pay_for_order=true`,
    is_editable: status === "pending" || status === "on-hold" || status === "checkout-draft",
    needs_payment: status === "pending" || status === "on-hold",
  };
}

// ------------------------------------------------------------------------------------------
// HTTP
// ------------------------------------------------------------------------------------------

/** RFC 3986 percent-encoding, as OAuth 1.0a and WooCommerce's wc_rest_urlencode_rfc3986 use. */
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** PHP's wp_json_encode: slashes escaped, non-ASCII as \uXXXX. The signature covers these exact bytes. */
export function phpJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, "\\/")
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const error = (code: string, message: string, status: number) => ({ status, body: { code, message, data: { status } } });

const TOPICS = new Set(["coupon", "customer", "order", "product"].flatMap((r) => ["created", "updated", "deleted", "restored"].map((e) => `${r}.${e}`)));

export async function startWooSimulator(options: WooSimulatorOptions): Promise<WooSimulator> {
  let origin = "";
  const data = render({ seed: options.seed, customers: options.customers, now: options.now ?? DEFAULT_SIMULATION_NOW, siteUrl: () => origin });
  let clock = (options.now ?? DEFAULT_SIMULATION_NOW).getTime();
  // Changes after start-up happen now (real time, as on a live store), strictly after each other.
  const tick = () => new Date((clock = Math.max(clock + 1000, Date.now())));
  const keys = new Map<string, string>();
  const first = { consumerKey: `ck_${randomBytes(20).toString("hex")}`, consumerSecret: `cs_${randomBytes(20).toString("hex")}` };
  keys.set(first.consumerKey, first.consumerSecret);
  const nonces = new Set<string>();
  const requests: RequestLogEntry[] = [];
  const failures: { remaining: number; failure: WooFailure; match: RegExp | null }[] = [];
  let outage: { until: number; kinds: WooFailure[]; next: number } | null = null;
  const hanging = new Set<ServerResponse>();
  const hooks = new Map<number, WooWebhook & { failure_count: number; secret: string }>();
  const batchCalls: Json[] = [];
  let nextHookId = 1;
  let nextMetaId = 1_000_000;
  let latencyMs = 0;
  let inFlight = 0;
  let peak = 0;

  function authenticate(req: IncomingMessage, url: URL): { status: number; body: Json } | null {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
    if (basic) {
      const [key = "", secret = ""] = Buffer.from(basic[1]!, "base64").toString("utf8").split(":");
      return keys.get(key) === secret ? null : error("woocommerce_rest_authentication_error", "Consumer secret is invalid.", 401);
    }
    const params = Object.fromEntries(url.searchParams);
    if (!params.oauth_consumer_key) return error("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", 401);
    const secret = keys.get(params.oauth_consumer_key);
    if (!secret) return error("woocommerce_rest_authentication_error", "Consumer key is invalid.", 401);
    const given = params.oauth_signature ?? "";
    delete params.oauth_signature;
    const method = params.oauth_signature_method;
    if (method !== "HMAC-SHA256" && method !== "HMAC-SHA1") return error("woocommerce_rest_authentication_error", "Invalid signature - signature method is invalid.", 401);
    const base = `http://${req.headers.host}${url.pathname}`;
    const paramString = Object.keys(params)
      .sort()
      .map((k) => `${rfc3986(k)}=${rfc3986(params[k]!)}`)
      .join("&");
    const baseString = `${req.method}&${rfc3986(base)}&${rfc3986(paramString)}`;
    const expected = createHmac(method === "HMAC-SHA256" ? "sha256" : "sha1", `${secret}&`).update(baseString).digest();
    const givenBytes = Buffer.from(given, "base64");
    if (givenBytes.length !== expected.length || !timingSafeEqual(givenBytes, expected)) {
      return error("woocommerce_rest_authentication_error", "Invalid signature - provided signature does not match.", 401);
    }
    if (Math.abs(Number(params.oauth_timestamp) * 1000 - Date.now()) > 15 * 60_000) return error("woocommerce_rest_authentication_error", "Invalid timestamp.", 401);
    const nonce = `${params.oauth_consumer_key}:${params.oauth_timestamp}:${params.oauth_nonce}`;
    if (nonces.has(nonce)) return error("woocommerce_rest_authentication_error", "Invalid nonce - nonce has already been used.", 401);
    nonces.add(nonce);
    return null;
  }

  function paginate(res: ServerResponse, url: URL, items: Json[]): { status: number; body: unknown } {
    const perPage = Number(url.searchParams.get("per_page") ?? 10);
    const page = Number(url.searchParams.get("page") ?? 1);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) return error("rest_invalid_param", "Invalid parameter(s): per_page (per_page must be between 1 (inclusive) and 100 (inclusive))", 400);
    if (!Number.isInteger(page) || page < 1) return error("rest_invalid_param", "Invalid parameter(s): page", 400);
    const pages = Math.ceil(items.length / perPage);
    res.setHeader("X-WP-Total", String(items.length));
    res.setHeader("X-WP-TotalPages", String(pages));
    const link = (p: number) => `<${origin}${url.pathname}?page=${p}&per_page=${perPage}>`;
    const links = [page < pages ? `${link(page + 1)}; rel="next"` : null, page > 1 ? `${link(page - 1)}; rel="prev"` : null].filter(Boolean);
    if (links.length) res.setHeader("Link", links.join(", "));
    return { status: 200, body: items.slice((page - 1) * perPage, page * perPage) };
  }

  const modifiedAfter = (url: URL) => {
    const v = url.searchParams.get("modified_after");
    return v ? new Date(/Z|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`).getTime() : null;
  };
  const byModified = (items: Json[], after: number | null) => (after === null ? items : items.filter((i) => Date.parse(`${String(i.date_modified_gmt)}Z`) > after));
  const sortById = (items: Json[], url: URL, defaultOrder = "desc") => {
    const desc = (url.searchParams.get("order") ?? defaultOrder) === "desc";
    return [...items].sort((a, b) => (desc ? Number(b.id) - Number(a.id) : Number(a.id) - Number(b.id)));
  };

  function setMeta(target: Json, updates: { key: string; value: unknown; id?: number }[]) {
    const list = (target.meta_data as Meta[]) ?? [];
    for (const u of updates) {
      const found = list.find((m) => (u.id ? m.id === u.id : m.key === u.key));
      if (found) found.value = u.value;
      else list.push({ id: nextMetaId++, key: u.key, value: u.value });
    }
    target.meta_data = list;
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<{ status: number; body: unknown }> {
    const path = url.pathname.replace(/^\/wp-json\/wc\/v3\//, "");
    const method = req.method ?? "GET";
    const json = () => (body ? (JSON.parse(body) as Json) : {});
    let m: RegExpExecArray | null;
    if (method === "GET" && path === "customers") {
      const role = url.searchParams.get("role") ?? "customer";
      let list = [...data.customers.values()].filter((c) => role === "all" || c.role === role);
      const include = url.searchParams.get("include");
      if (include) {
        const wanted = new Set(include.split(",").map(Number));
        list = list.filter((c) => wanted.has(Number(c.id)));
      }
      return paginate(res, url, sortById(list, url, "asc"));
    }
    if (method === "GET" && path === "orders") {
      const status = url.searchParams.get("status") ?? "any";
      const wanted = new Set(status.split(","));
      const list = [...data.orders.values()].filter((o) => (wanted.has("any") ? o.status !== "checkout-draft" && o.status !== "trash" : wanted.has(String(o.status))));
      return paginate(res, url, sortById(byModified(list, modifiedAfter(url)), url));
    }
    if (method === "GET" && path === "products") return paginate(res, url, sortById(byModified([...data.products.values()], modifiedAfter(url)), url));
    if ((m = /^(customers|orders|products)\/(\d+)$/.exec(path))) {
      const store = data[m[1] as "customers" | "orders" | "products"];
      const item = store.get(Number(m[2]));
      if (!item) return error(`woocommerce_rest_invalid_id`, "Invalid ID.", 404);
      if (method === "GET") return { status: 200, body: item };
      if (method === "PUT") {
        const { meta_data, ...rest } = json();
        Object.assign(item, rest, { date_modified_gmt: gmt(tick()) });
        if (Array.isArray(meta_data)) setMeta(item, meta_data as Meta[]);
        return { status: 200, body: item };
      }
    }
    if (method === "POST" && path === "customers/batch") {
      const b = json();
      batchCalls.push(b);
      const items = ["create", "update", "delete"].reduce((n, k) => n + (Array.isArray(b[k]) ? (b[k] as unknown[]).length : 0), 0);
      if (items > 100) return error("woocommerce_rest_request_entity_too_large", "Unable to accept more than 100 items for this request.", 413);
      const update = ((b.update as Json[]) ?? []).map((u) => {
        const c = data.customers.get(Number(u.id));
        if (!c) return { id: u.id, error: { code: "woocommerce_rest_invalid_id", message: "Invalid ID.", data: { status: 400 } } };
        if (Array.isArray(u.meta_data)) setMeta(c, u.meta_data as Meta[]);
        c.date_modified_gmt = gmt(tick());
        return c;
      });
      return { status: 200, body: { update } };
    }
    if (path === "webhooks" && method === "GET") return paginate(res, url, [...hooks.values()].map(publicHook));
    if (path === "webhooks" && method === "POST") {
      const b = json();
      const topic = String(b.topic ?? "");
      if (!TOPICS.has(topic)) return error("rest_invalid_param", "Invalid parameter(s): topic", 400);
      if (!/^https?:\/\//.test(String(b.delivery_url ?? ""))) return error("rest_invalid_param", "Invalid parameter(s): delivery_url", 400);
      const id = nextHookId++;
      const [resource, event] = topic.split(".") as [string, string];
      const hook = { id, name: String(b.name ?? ""), status: "active" as WooWebhook["status"], topic, resource, event, hooks: [], delivery_url: String(b.delivery_url), secret: String(b.secret ?? randomBytes(16).toString("hex")), failure_count: 0, ...stamp("date_created", tick()) };
      hooks.set(id, hook);
      // The ping: form-encoded, unsigned; the webhook only goes live on a 2xx.
      const ping = await fetch(hook.delivery_url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "WooCommerce/10.3.0 Hookshot (WordPress/6.8.3)" }, body: `webhook_id=${id}` }).catch(() => null);
      if (!ping || ping.status < 200 || ping.status > 299) hook.status = "disabled";
      return { status: 201, body: publicHook(hook) };
    }
    if ((m = /^webhooks\/(\d+)$/.exec(path))) {
      const hook = hooks.get(Number(m[1]));
      if (!hook) return error("woocommerce_rest_webhook_invalid_id", "Invalid ID.", 404);
      if (method === "GET") return { status: 200, body: publicHook(hook) };
      if (method === "PUT") {
        const b = json();
        if (b.status) {
          hook.status = b.status as WooWebhook["status"];
          if (hook.status === "active") hook.failure_count = 0;
        }
        if (b.delivery_url) hook.delivery_url = String(b.delivery_url);
        if (b.secret) hook.secret = String(b.secret);
        return { status: 200, body: publicHook(hook) };
      }
      if (method === "DELETE") {
        if (url.searchParams.get("force") !== "true") return error("woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.", 501);
        hooks.delete(hook.id);
        return { status: 200, body: publicHook(hook) };
      }
    }
    return error("rest_no_route", "No route was found matching the URL and request method.", 404);
  }

  const publicHook = (h: WooWebhook & { failure_count: number; secret: string }): Json => {
    const { failure_count: _f, secret: _s, ...rest } = h;
    return { ...rest, _links: {} };
  };

  async function authorize(res: ServerResponse, url: URL) {
    const p = Object.fromEntries(url.searchParams);
    for (const k of ["app_name", "scope", "user_id", "return_url", "callback_url"]) {
      if (!p[k]) return send(res, 400, `<p>Error: ${k === "callback_url" || k === "return_url" ? `Invalid ${k}` : `Missing parameter ${k}`}</p>`, "text/html");
    }
    if (!["read", "write", "read_write"].includes(p.scope!)) return send(res, 400, "<p>Error: Invalid scope</p>", "text/html");
    if (!options.allowHttpCallback && !p.callback_url!.startsWith("https://")) return send(res, 400, "<p>Error: The callback_url needs to be over SSL</p>", "text/html");
    // The merchant logs in and clicks "Approve": keys are created and POSTed to callback_url.
    const issued = issueKeys();
    const cb = await fetch(p.callback_url!, {
      method: "POST",
      headers: { "Content-Type": "application/json;charset=UTF-8" },
      body: JSON.stringify({ key_id: keys.size, user_id: p.user_id, consumer_key: issued.consumerKey, consumer_secret: issued.consumerSecret, key_permissions: p.scope }),
    }).catch(() => null);
    if (!cb || cb.status !== 200) {
      keys.delete(issued.consumerKey);
      return send(res, 401, "<p>Error: An error occurred in the request and at the time were unable to send the consumer data.</p>", "text/html");
    }
    const back = new URL(p.return_url!);
    back.searchParams.set("success", "1");
    back.searchParams.set("user_id", p.user_id!);
    res.writeHead(302, { Location: back.toString() }).end();
  }

  function send(res: ServerResponse, status: number, body: unknown, type = "application/json; charset=UTF-8") {
    res.writeHead(status, { "Content-Type": type });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  }

  function issueKeys() {
    const issued = { consumerKey: `ck_${randomBytes(20).toString("hex")}`, consumerSecret: `cs_${randomBytes(20).toString("hex")}` };
    keys.set(issued.consumerKey, issued.consumerSecret);
    return issued;
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", origin);
      const log: RequestLogEntry = { method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
      if (url.pathname === "/wc-auth/v1/authorize") {
        void authorize(res, url).then(() => requests.push({ ...log, status: res.statusCode }));
        return;
      }
      if (!url.pathname.startsWith("/wp-json/wc/v3/")) return send(res, 404, error("rest_no_route", "No route was found matching the URL and request method.", 404).body);
      const injected =
        failures.find((f) => f.remaining > 0 && (!f.match || f.match.test(url.pathname + url.search))) ??
        (outage && Date.now() < outage.until ? { remaining: 1, failure: outage.kinds[outage.next++ % outage.kinds.length]!, match: null } : undefined);
      if (injected) {
        injected.remaining -= 1;
        const f = injected.failure;
        if ("hang" in f) {
          requests.push({ ...log, status: "hung" });
          hanging.add(res);
          res.once("close", () => hanging.delete(res));
          return;
        }
        if ("drop" in f) {
          requests.push({ ...log, status: "dropped" });
          req.socket.destroy();
          return;
        }
        requests.push({ ...log, status: f.status });
        if (f.status === 429) res.setHeader("Retry-After", String(f.retryAfterSeconds ?? 0));
        return send(res, f.status, f.status === 429 ? error("woocommerce_rest_too_many_requests", "Too many requests.", 429).body : "<html><body><h1>Internal Server Error</h1></body></html>", f.status === 429 ? undefined : "text/html");
      }
      const denied = authenticate(req, url);
      peak = Math.max(peak, ++inFlight);
      const done = (r: { status: number; body: unknown }) => {
        requests.push({ ...log, status: r.status });
        setTimeout(() => {
          inFlight--;
          send(res, r.status, r.body);
        }, latencyMs);
      };
      if (denied) return done(denied);
      route(req, res, url, Buffer.concat(chunks).toString("utf8")).then(done, (e: unknown) => done(error("internal_server_error", e instanceof Error ? e.message : String(e), 500)));
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function deliver(topic: string, payload: Json, opts: { secret?: string } = {}): Promise<DeliveryResult[]> {
    const [resource, event] = topic.split(".");
    const body = phpJson(payload);
    const results: DeliveryResult[] = [];
    for (const hook of hooks.values()) {
      if (hook.status !== "active" || hook.topic !== topic) continue;
      const signature = createHmac("sha256", opts.secret ?? hook.secret).update(body).digest("base64");
      const res = await fetch(hook.delivery_url, {
        method: "POST",
        redirect: "manual",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "WooCommerce/10.3.0 Hookshot (WordPress/6.8.3)",
          "X-WC-Webhook-Source": `${origin}/`,
          "X-WC-Webhook-Topic": topic,
          "X-WC-Webhook-Resource": resource!,
          "X-WC-Webhook-Event": event!,
          "X-WC-Webhook-Signature": signature,
          "X-WC-Webhook-ID": String(hook.id),
          "X-WC-Webhook-Delivery-ID": createHash("md5").update(`${hook.id}${Date.now()}${Math.random()}`).digest("hex"),
        },
        body,
      }).catch(() => null);
      const status = res ? res.status : "error";
      await res?.arrayBuffer().catch(() => undefined);
      // class-wc-webhook.php: 2xx and 301/302 count as delivered; more than 5 failures disable it.
      if (typeof status === "number" && ((status >= 200 && status < 300) || status === 301 || status === 302)) hook.failure_count = 0;
      else if (++hook.failure_count > 5) hook.status = "disabled";
      results.push({ webhookId: hook.id, status });
    }
    return results;
  }

  const get = (store: Map<number, Json>, what: string, id: number) => {
    const item = store.get(id);
    if (!item) throw new Error(`simulator has no ${what} ${id}`);
    return item;
  };
  const patchOrder = (id: number, patch: Json) => {
    const o = get(data.orders, "order", id);
    Object.assign(o, patch, stamp("date_modified", tick()));
    return o;
  };

  return {
    url: origin,
    consumerKey: first.consumerKey,
    consumerSecret: first.consumerSecret,
    expected: () => ({ ...data.expected, ordersByPaymentMethod: { ...data.expected.ordersByPaymentMethod } }),
    requests,
    failNext: (count, failure, match) => void failures.push({ remaining: count, failure, match: match ?? null }),
    clearFailures: () => void failures.splice(0),
    failFor: (ms, kinds) => void (outage = { until: Date.now() + ms, kinds, next: 0 }),
    revokeKeys: () => keys.clear(),
    issueKeys,
    webhooks: () => [...hooks.values()].map((h) => ({ ...h })),
    setWebhookStatus: (id, status) => void (hooks.get(id)!.status = status),
    deleteWebhook: (id) => void hooks.delete(id),
    customer: (id) => structuredClone(get(data.customers, "customer", id)),
    order: (id) => structuredClone(get(data.orders, "order", id)),
    customerIds: () => [...data.customers.keys()],
    orderIds: (filter) => [...data.orders.values()].filter((o) => !filter || filter(o)).map((o) => Number(o.id)),
    async updateCustomer(id, patch) {
      const c = get(data.customers, "customer", id);
      Object.assign(c, patch, stamp("date_modified", tick()));
      return deliver("customer.updated", structuredClone(c));
    },
    async deleteCustomer(id) {
      get(data.customers, "customer", id);
      data.customers.delete(id);
      return deliver("customer.deleted", { id });
    },
    updateOrder: (id, patch) => deliver("order.updated", structuredClone(patchOrder(id, patch))),
    updateOrderSilently: (id, patch) => void patchOrder(id, patch),
    deliver,
    batchCalls,
    setLatency: (ms) => void (latencyMs = ms),
    peakConcurrency(reset = false) {
      const p = peak;
      if (reset) peak = 0;
      return p;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { SHOP_NAME, DAY };
