// A deterministic demo Shopify store: the same options always produce the same products and the
// same webhook deliveries (ids included), in chronological order, plus the totals an ingester
// should arrive at after consuming them.

import type { PaymentMethod, SalesChannel } from "../../../app/core/types";
import type { ShopifyProductPayload } from "../payloads";
import { type SimOrder, orderStateAt, orderTotalCents } from "./model";
import { HISTORY_DAYS, SHOP_NAME, planStore } from "./plan";
import { createRng } from "./random";
import { type RenderContext, checkoutPayload, customerPayload, emailConsentAt, orderPayload, productPayload } from "./render";

export interface StoreSimulatorOptions {
  seed: number;
  /** Customers to create over the simulated two years (a few thousand is typical). */
  customers: number;
  /** e.g. "emporio-jabuticaba.myshopify.com". */
  shopDomain: string;
  /** Shop currency; prices keep their BRL-like magnitudes and use the currency's decimals. */
  currency?: string;
  /** End of the simulated history; fixed by default so runs are reproducible. */
  now?: Date;
}

/** One webhook as Shopify would POST it: X-Shopify-Topic, X-Shopify-Webhook-Id, X-Shopify-Triggered-At, body. */
export interface SimulatedDelivery {
  topic: string;
  webhookId: string;
  triggeredAt: string;
  body: object;
}

/** What an ingester should hold after consuming every delivery. */
export interface SimulationSummary {
  shopName: string;
  shopDomain: string;
  currency: string;
  from: Date;
  to: Date;
  products: number;
  customers: number;
  customersWithOrders: number;
  /** Customers by how many orders they placed (1 → n, 2 → n, …); 0 for sign-ups who never bought. */
  customersByOrderCount: Record<number, number>;
  oneTimeBuyers: number;
  repeatBuyers: number;
  customersWith5PlusOrders: number;
  emailSubscribers: number;
  orders: number;
  /** Orders without a customer (walk-in POS sales). */
  guestOrders: number;
  cancelledOrders: number;
  ordersByChannel: Record<SalesChannel, number>;
  /** As the normaliser classifies them: cash and manual payments are "other". */
  ordersByPaymentMethod: Record<PaymentMethod, number>;
  boletoOrders: number;
  boletosPaid: number;
  boletosUnpaid: number;
  pixOrders: number;
  pixPaid: number;
  /** Σ total_price of orders not cancelled, in minor units. */
  revenueMinor: bigint;
  /** Σ successful refund transactions over all orders, in minor units. */
  refundedMinor: bigint;
  refundedOrders: number;
  abandonedCheckouts: number;
  completedCheckouts: number;
  deliveries: number;
  deliveriesByTopic: Record<string, number>;
}

export interface StoreSimulator {
  readonly options: Required<StoreSimulatorOptions>;
  products(): ShopifyProductPayload[];
  deliveries(): Generator<SimulatedDelivery>;
  summary(): SimulationSummary;
}

export const DEFAULT_SIMULATION_NOW = new Date("2026-11-20T15:00:00.000Z");

interface PlannedDelivery {
  at: number;
  topic: string;
  webhookId: string;
  render: () => object;
}

export function createStoreSimulator(options: StoreSimulatorOptions): StoreSimulator {
  const resolved: Required<StoreSimulatorOptions> = {
    currency: "BRL",
    now: DEFAULT_SIMULATION_NOW,
    ...options,
  };
  if (!Number.isInteger(resolved.customers) || resolved.customers < 0) {
    throw new RangeError(`customers must be a non-negative integer, got ${resolved.customers}`);
  }
  const rng = createRng(resolved.seed);
  const plan = planStore(rng, resolved.customers, resolved.now);
  const ctx: RenderContext = { shopDomain: resolved.shopDomain, shopId: 63_748_243_546, currency: resolved.currency.toUpperCase() };

  const planned: PlannedDelivery[] = [];
  const add = (at: Date, topic: string, render: () => object) => planned.push({ at: at.getTime(), topic, webhookId: "", render });

  for (const product of plan.products) add(product.createdAt, "products/create", () => productPayload(product, ctx));
  for (const customer of plan.customers) {
    add(customer.createdAt, "customers/create", () => customerPayload(customer, customer.createdAt, ctx));
    const change = customer.consentChange;
    if (change) add(change.at, "customers/update", () => customerPayload(customer, change.at, ctx));
  }
  for (const order of plan.orders) addOrderDeliveries(order, add, ctx);
  for (const checkout of plan.checkouts) {
    add(checkout.createdAt, "checkouts/create", () => checkoutPayload(checkout, "create", ctx));
    // A checkout started in the last minutes may not have been filled in yet.
    if (checkout.updatedAt.getTime() <= plan.now.getTime()) {
      add(checkout.updatedAt, "checkouts/update", () => checkoutPayload(checkout, "update", ctx));
    }
  }

  // Stable sort keeps same-instant deliveries in causal order (create before updated).
  planned.sort((a, b) => a.at - b.at);
  for (const delivery of planned) delivery.webhookId = rng.uuid();

  return {
    options: resolved,
    products: () => plan.products.map((product) => productPayload(product, ctx)),
    *deliveries() {
      for (const delivery of planned) {
        yield { topic: delivery.topic, webhookId: delivery.webhookId, triggeredAt: new Date(delivery.at).toISOString(), body: delivery.render() };
      }
    },
    summary: () => summarize(plan, planned, resolved),
  };
}

function addOrderDeliveries(order: SimOrder, add: (at: Date, topic: string, render: () => object) => void, ctx: RenderContext): void {
  const snapshot = (at: Date) => () => orderPayload(order, at, ctx);
  const createdAt = new Date(order.placedAt.getTime() + 2_000);
  add(createdAt, "orders/create", snapshot(createdAt));
  // Paid later (Pix, boleto): Shopify sends orders/paid and orders/updated.
  if (order.paidAt && order.paidAt.getTime() > order.placedAt.getTime()) {
    add(order.paidAt, "orders/paid", snapshot(order.paidAt));
    add(order.paidAt, "orders/updated", snapshot(order.paidAt));
  }
  if (order.cancelledAt) {
    add(order.cancelledAt, "orders/cancelled", snapshot(order.cancelledAt));
    add(order.cancelledAt, "orders/updated", snapshot(order.cancelledAt));
  }
  const refund = order.refund;
  if (refund && refund.at.getTime() !== order.cancelledAt?.getTime()) add(refund.at, "orders/updated", snapshot(refund.at));
}

function summarize(plan: ReturnType<typeof planStore>, planned: PlannedDelivery[], options: Required<StoreSimulatorOptions>): SimulationSummary {
  const now = plan.now;
  const ordersPerCustomer = new Map<number, number>();
  for (const customer of plan.customers) ordersPerCustomer.set(customer.id, 0);
  const byChannel: Record<SalesChannel, number> = { web: 0, pos: 0, draft: 0, marketplace: 0, other: 0 };
  const byMethod: Record<PaymentMethod, number> = { card: 0, boleto: 0, pix: 0, other: 0 };
  let revenue = 0n;
  let refunded = 0n;
  let refundedOrders = 0;
  let cancelled = 0;
  let guestOrders = 0;
  let boletosPaid = 0;
  let boletosUnpaid = 0;
  let pixPaid = 0;

  for (const order of plan.orders) {
    const state = orderStateAt(order, now);
    if (order.customer) ordersPerCustomer.set(order.customer.id, (ordersPerCustomer.get(order.customer.id) ?? 0) + 1);
    else guestOrders++;
    byChannel[order.channel]++;
    const method: PaymentMethod = order.method === "cash" || order.method === "manual" ? "other" : order.method;
    byMethod[method]++;
    if (state.cancelled) cancelled++;
    else revenue += BigInt(orderTotalCents(order));
    if (state.refund) {
      refunded += BigInt(state.refund.amountCents);
      refundedOrders++;
    }
    if (order.method === "boleto") {
      if (state.paid) boletosPaid++;
      else boletosUnpaid++;
    }
    if (order.method === "pix" && state.paid) pixPaid++;
  }

  const customersByOrderCount: Record<number, number> = {};
  for (const count of ordersPerCustomer.values()) customersByOrderCount[count] = (customersByOrderCount[count] ?? 0) + 1;
  const counts = [...ordersPerCustomer.values()];
  const deliveriesByTopic: Record<string, number> = {};
  for (const delivery of planned) deliveriesByTopic[delivery.topic] = (deliveriesByTopic[delivery.topic] ?? 0) + 1;

  return {
    shopName: SHOP_NAME,
    shopDomain: options.shopDomain,
    currency: options.currency.toUpperCase(),
    from: plan.start,
    to: now,
    products: plan.products.length,
    customers: plan.customers.length,
    customersWithOrders: counts.filter((count) => count > 0).length,
    customersByOrderCount,
    oneTimeBuyers: counts.filter((count) => count === 1).length,
    repeatBuyers: counts.filter((count) => count >= 2).length,
    customersWith5PlusOrders: counts.filter((count) => count >= 5).length,
    emailSubscribers: plan.customers.filter((customer) => emailConsentAt(customer, now).subscribed).length,
    orders: plan.orders.length,
    guestOrders,
    cancelledOrders: cancelled,
    ordersByChannel: byChannel,
    ordersByPaymentMethod: byMethod,
    boletoOrders: plan.orders.filter((order) => order.method === "boleto").length,
    boletosPaid,
    boletosUnpaid,
    pixOrders: plan.orders.filter((order) => order.method === "pix").length,
    pixPaid,
    revenueMinor: revenue,
    refundedMinor: refunded,
    refundedOrders,
    abandonedCheckouts: plan.checkouts.filter((checkout) => !checkout.completedAt).length,
    completedCheckouts: plan.checkouts.filter((checkout) => checkout.completedAt).length,
    deliveries: planned.length,
    deliveriesByTopic,
  };
}

export { HISTORY_DAYS };
