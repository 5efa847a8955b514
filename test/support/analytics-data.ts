// Normalised customers and orders for analytics tests: the shapes adapters produce, applied through
// the real batch writer (applyChanges), so stats are kept by the product's incremental path.
import fs from "node:fs";
import zlib from "node:zlib";
import { sharedDataFile } from "./shared-data.ts";
import type { FinancialStatus, NormalizedChange, NormalizedCustomer, NormalizedOrder, NormalizedOrderLine, SalesChannel } from "../../app/core/types.ts";

export function customer(platformId: string): NormalizedCustomer {
  return {
    platformId,
    email: `${platformId}@example.com`,
    phone: null,
    firstName: null,
    lastName: null,
    city: null,
    province: null,
    country: null,
    zip: null,
    addresses: [],
    birthDate: null,
    gender: null,
    taxId: null,
    locale: null,
    acceptsEmailMarketing: false,
    acceptsSmsMarketing: false,
    consentUpdatedAt: null,
    tags: [],
    note: null,
    platformCreatedAt: null,
    platformUpdatedAt: new Date("2000-01-01T00:00:00Z"),
  };
}

export interface OrderSpec {
  id: string;
  customer: string | null;
  placedAt: string | Date;
  totalMinor: bigint;
  refundedMinor?: bigint;
  status?: FinancialStatus;
  cancelled?: boolean;
  test?: boolean;
  channel?: SalesChannel;
  lines?: { productId: string; category: string | null; quantity: number }[];
  /** Version of this order (newer versions win). */
  version?: number;
}

export function order(s: OrderSpec): NormalizedChange {
  const placedAt = new Date(s.placedAt);
  const lines: NormalizedOrderLine[] = (s.lines ?? []).map((l, i) => ({
    platformId: `${s.id}-${i}`,
    productId: l.productId,
    variantId: null,
    sku: null,
    title: l.productId,
    category: l.category,
    quantity: l.quantity,
    unitPriceMinor: 0n,
    discountMinor: 0n,
    totalMinor: 0n,
  }));
  const o: NormalizedOrder = {
    platformId: s.id,
    name: `#${s.id}`,
    customer: s.customer ? customer(s.customer) : null,
    email: null,
    currency: "BRL",
    subtotalMinor: s.totalMinor,
    discountMinor: 0n,
    shippingMinor: 0n,
    taxMinor: 0n,
    totalMinor: s.totalMinor,
    refundedMinor: s.refundedMinor ?? 0n,
    financialStatus: s.status ?? "paid",
    fulfillmentStatus: null,
    channel: s.channel ?? "web",
    paymentMethod: "card",
    gateways: [],
    tags: [],
    landingSite: null,
    referringSite: null,
    utmSource: null,
    utmMedium: null,
    utmCampaign: null,
    test: s.test ?? false,
    placedAt,
    cancelledAt: s.cancelled ? placedAt : null,
    closedAt: null,
    platformUpdatedAt: new Date(placedAt.getTime() + (s.version ?? 0) * 1000),
    lines,
    payments: [],
  };
  return { kind: "order.upsert", order: o };
}

export interface RetailInvoice {
  orderId: string;
  customerId: string;
  createdAt: Date;
  totalCents: bigint;
  cancellation: boolean;
}

/** The Online Retail lines' path, or null when the shared data is absent (tests skip). */
export const ONLINE_RETAIL_FILE = sharedDataFile("online_retail/lines.csv.gz");

/**
 * One invoice per row for every customer whose id is divisible by 8 (a ~1/8 sample that keeps each
 * customer's whole history): first line's time (UK local time as published, read as UTC), total
 * in pence (Σ quantity × unit price, each line rounded to a penny). Invoices starting with `C` are
 * cancellations (negative totals: returns).
 */
export function loadOnlineRetail(): RetailInvoice[] {
  if (!ONLINE_RETAIL_FILE) throw new Error("the Online Retail data is not available (see test/support/shared-data.ts)");
  const lines = zlib.gunzipSync(fs.readFileSync(ONLINE_RETAIL_FILE)).toString("utf8").trim().split("\n").slice(1);
  const invoices = new Map<string, RetailInvoice>();
  for (const line of lines) {
    // order_id,customer_id,product_id,description,quantity,unit_price,created_at,country — the
    // description may hold quoted commas, so read the fixed fields from both ends.
    const first = line.split(",", 2);
    const orderId = first[0]!;
    const customerId = first[1]!;
    if (!customerId || Number(customerId) % 8 !== 0) continue;
    const tail = line.split(",").slice(-4);
    const [quantity, unitPrice, createdAt] = tail;
    const cents = BigInt(Math.round(Number(quantity) * Number(unitPrice) * 100));
    const invoice = invoices.get(orderId);
    if (invoice) invoice.totalCents += cents;
    else invoices.set(orderId, { orderId, customerId, createdAt: new Date(`${createdAt}Z`), totalCents: cents, cancellation: orderId.startsWith("C") });
  }
  return [...invoices.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.orderId.localeCompare(b.orderId));
}

/**
 * The invoices as order events in time order: each sale is an order; each cancellation invoice
 * (a return, with no link to the sale) refunds the customer's latest earlier order, capped at its
 * total, and is sent as a newer version of that order. Cancellations with no earlier order of the
 * customer are dropped. Also returns the expected per-customer outcome, computed independently.
 */
export function onlineRetailEvents(invoices = ONLINE_RETAIL_FILE ? loadOnlineRetail() : []) {
  const events: NormalizedChange[] = [];
  const state = new Map<string, OrderSpec & { refundedMinor: bigint; version: number }>();
  const latest = new Map<string, string>();
  for (const inv of invoices) {
    if (!inv.cancellation) {
      const spec = { id: inv.orderId, customer: inv.customerId, placedAt: inv.createdAt, totalMinor: inv.totalCents, refundedMinor: 0n, version: 0 };
      state.set(inv.orderId, spec);
      latest.set(inv.customerId, inv.orderId);
      events.push(order(spec));
      continue;
    }
    const target = latest.get(inv.customerId);
    if (!target) continue;
    const spec = state.get(target)!;
    const refund = -inv.totalCents;
    spec.refundedMinor = spec.refundedMinor + refund > spec.totalMinor ? spec.totalMinor : spec.refundedMinor + refund;
    spec.version++;
    spec.status = spec.refundedMinor === spec.totalMinor ? "refunded" : "partially_refunded";
    events.push(order({ ...spec, placedAt: spec.placedAt }));
  }
  const expected = new Map<string, { orders: number; revenue: bigint; last: Date; first: Date }>();
  for (const s of state.values()) {
    const e = expected.get(s.customer!) ?? { orders: 0, revenue: 0n, last: new Date(0), first: new Date(8.64e15) };
    e.orders++;
    e.revenue += s.totalMinor - s.refundedMinor;
    const at = new Date(s.placedAt);
    if (at > e.last) e.last = at;
    if (at < e.first) e.first = at;
    expected.set(s.customer!, e);
  }
  return { events, expected, orders: [...state.values()] };
}
