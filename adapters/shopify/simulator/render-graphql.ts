// The demo store rendered as Admin GraphQL (API 2026-10) nodes: what the bulk queries in
// ../bulk-operations.server.ts return for the same customers, orders and products the webhook
// renderer (render.ts) sends. Built from the same model and plan (same seed → same ids), so a
// test can put one simulated order through both normalisers.
//
// Style of the values, as Shopify's GraphQL writes them: GIDs, UTC DateTime without fraction
// ("2025-03-10T17:22:31Z"), enum values in capitals, Decimal money like "49.9" / "10.0".
// Connection fields (lineItems, addressesV2, variants) are not on the node: they are `children`,
// each carrying `__parentId`, as in bulk JSONL.

import { STATE_NAMES, shopTimestamp } from "./brazil";
import {
  type SimCustomer,
  type SimLine,
  type SimOrder,
  type SimProduct,
  DAY,
  orderDiscountCents,
  orderStateAt,
  orderSubtotalCents,
  orderTotalCents,
} from "./model";
import { SHOP_NAME, type StorePlan, planStore } from "./plan";
import { createRng } from "./random";
import { emailConsentAt, formatMoney } from "./render";
import { DEFAULT_SIMULATION_NOW, type StoreSimulatorOptions } from "./store-simulator";

type Json = Record<string, unknown>;

export interface GraphqlRecord {
  node: Json;
  children: Json[];
}

export type GraphqlBulkRoot = "customers" | "orders" | "products";

export interface GraphqlStore {
  readonly plan: StorePlan;
  readonly currency: string;
  readonly shopDomain: string;
  /** `shop { … }` as the Admin API answers it. */
  shop(): Json;
  /** The customer as a GraphQL query made at `at` would see it (mirrors customerPayload). */
  customerRecord(customer: SimCustomer, at: Date): GraphqlRecord;
  /** The order at `at` (mirrors orderPayload), with its LineItem children. */
  orderRecord(order: SimOrder, at: Date): GraphqlRecord;
  productRecord(product: SimProduct): GraphqlRecord;
  customerById(platformId: string | number): SimCustomer | undefined;
  orderById(platformId: string | number): SimOrder | undefined;
  productById(platformId: string | number): SimProduct | undefined;
  /** When the last webhook about the order was sent: the state a backfill at the end sees. */
  orderLastChange(order: SimOrder): Date;
  customerLastChange(customer: SimCustomer): Date;
  /** The JSONL objects of a bulk query over `root`, in Shopify's grouped order. */
  bulkLines(root: GraphqlBulkRoot): Generator<Json>;
}

// Same constants as render.ts (webhooks), so both shapes describe the same order.
const APP = {
  web: { id: 580111, name: "Online Store" },
  pos: { id: 129785, name: "Point of Sale" },
  draft: { id: 1354745, name: "Draft Orders" },
} as const;
const SOURCE_NAME = { web: "web", pos: "pos", draft: "shopify_draft_order" } as const;
const SHOP_ID = 63_748_243_546;

const gid = (type: string, id: number | string) => `gid://shopify/${type}/${id}`;

/** UTC DateTime at whole seconds, as GraphQL writes it; the same instant the webhook's shop-time string names. */
function dateTime(date: Date): string {
  return new Date(shopTimestamp(date)).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** GraphQL Decimal: trailing zeros trimmed, at least one decimal ("49.9", "10.0", "1500.0"). */
function decimal(minor: number, currency: string): string {
  const text = formatMoney(minor, currency);
  const [whole, fraction = ""] = text.split(".");
  const trimmed = fraction.replace(/0+$/, "");
  return `${whole}.${trimmed === "" ? "0" : trimmed}`;
}

function moneyBag(minor: number, currency: string): Json {
  const money = { amount: decimal(minor, currency), currencyCode: currency };
  return { shopMoney: money, presentmentMoney: { ...money } };
}

function mailingAddress(customer: SimCustomer): Json {
  return {
    id: `${gid("MailingAddress", customer.addressId)}?model_name=CustomerAddress`,
    firstName: customer.firstName,
    lastName: customer.lastName,
    address1: customer.street.address1,
    address2: customer.street.address2,
    city: customer.city.name,
    province: STATE_NAMES[customer.city.stateCode] ?? customer.city.stateCode,
    provinceCode: customer.city.stateCode,
    country: "Brazil",
    countryCodeV2: "BR",
    zip: customer.zip,
    phone: customer.phone,
  };
}

function orderAddress(customer: SimCustomer): Json {
  const { id: _id, ...address } = mailingAddress(customer);
  return address;
}

/** Rough RFM group and spend tier from the customer's history, standing in for Shopify's own. */
function statisticsFor(history: { orders: number; lastOrderAt: number | null; spentCents: number }, now: Date): Json {
  const { orders, lastOrderAt, spentCents } = history;
  let rfmGroup: string;
  if (orders === 0 || lastOrderAt === null) rfmGroup = "PROSPECTS";
  else {
    const days = (now.getTime() - lastOrderAt) / DAY;
    if (days <= 60) rfmGroup = orders >= 5 ? "CHAMPIONS" : orders >= 3 ? "LOYAL" : orders === 1 ? "NEW" : "PROMISING";
    else if (days <= 180) rfmGroup = orders >= 3 ? "ACTIVE" : "NEEDS_ATTENTION";
    else if (days <= 365) rfmGroup = orders >= 3 ? "AT_RISK" : "ALMOST_LOST";
    else rfmGroup = orders >= 5 ? "PREVIOUSLY_LOYAL" : "DORMANT";
  }
  const predictedSpendTier = spentCents >= 150_000 ? "HIGH" : spentCents >= 40_000 ? "MEDIUM" : "LOW";
  return { rfmGroup, predictedSpendTier };
}

export function createGraphqlStore(options: StoreSimulatorOptions): GraphqlStore {
  const now = options.now ?? DEFAULT_SIMULATION_NOW;
  const currency = (options.currency ?? "BRL").toUpperCase();
  // The same draws as createStoreSimulator: a fresh generator and the plan first.
  const plan = planStore(createRng(options.seed), options.customers, now);
  const shopDomain = options.shopDomain;

  const customers = new Map(plan.customers.map((customer) => [String(customer.id), customer]));
  const orders = new Map(plan.orders.map((order) => [String(order.id), order]));
  const products = new Map(plan.products.map((product) => [String(product.id), product]));
  const histories = new Map<number, { orders: number; lastOrderAt: number | null; spentCents: number }>();
  for (const customer of plan.customers) histories.set(customer.id, { orders: 0, lastOrderAt: null, spentCents: 0 });
  for (const order of plan.orders) {
    const history = order.customer ? histories.get(order.customer.id) : undefined;
    if (!history) continue;
    history.orders++;
    history.lastOrderAt = Math.max(history.lastOrderAt ?? 0, order.placedAt.getTime());
    if (!orderStateAt(order, now).cancelled) history.spentCents += orderTotalCents(order);
  }

  function customerFields(customer: SimCustomer, at: Date): Json {
    const consent = emailConsentAt(customer, at);
    return {
      id: gid("Customer", customer.id),
      firstName: customer.firstName,
      lastName: customer.lastName,
      locale: "pt-BR",
      note: null,
      state: customer.hasAccount ? "ENABLED" : "DISABLED",
      tags: [],
      createdAt: dateTime(customer.createdAt),
      updatedAt: dateTime(at),
      defaultEmailAddress: {
        emailAddress: customer.email,
        marketingState: consent.subscribed ? "SUBSCRIBED" : consent.since ? "UNSUBSCRIBED" : "NOT_SUBSCRIBED",
        marketingUpdatedAt: consent.since ? dateTime(consent.since) : null,
      },
      defaultPhoneNumber: customer.phone
        ? {
            phoneNumber: customer.phone,
            smsMarketingConsent: {
              state: customer.smsSubscribed ? "SUBSCRIBED" : "NOT_SUBSCRIBED",
              updatedAt: customer.smsSubscribed ? dateTime(customer.createdAt) : null,
            },
          }
        : null,
      defaultAddress: mailingAddress(customer),
    };
  }

  function customerRecord(customer: SimCustomer, at: Date): GraphqlRecord {
    const node: Json = {
      ...customerFields(customer, at),
      statistics: statisticsFor(histories.get(customer.id) ?? { orders: 0, lastOrderAt: null, spentCents: 0 }, now),
    };
    return { node, children: [{ ...mailingAddress(customer), __parentId: node.id }] };
  }

  function lineItem(line: SimLine, parentId: string): Json {
    const { catalog } = line.product;
    const option = line.variant.catalog.option;
    return {
      id: gid("LineItem", line.id),
      sku: line.variant.sku,
      title: catalog.title,
      name: option ? `${catalog.title} - ${option}` : catalog.title,
      quantity: line.quantity,
      vendor: catalog.vendor,
      variant: { id: gid("ProductVariant", line.variant.id) },
      product: { id: gid("Product", line.product.id) },
      originalUnitPriceSet: moneyBag(line.variant.catalog.priceCents, currency),
      discountAllocations: line.discountCents > 0 ? [{ allocatedAmountSet: moneyBag(line.discountCents, currency) }] : [],
      __parentId: parentId,
    };
  }

  function transactions(order: SimOrder, state: ReturnType<typeof orderStateAt>): Json[] {
    const total = orderTotalCents(order);
    const card = order.method === "card";
    const sale: Json = {
      // The model has no id for the sale; derived so it is stable and distinct.
      id: gid("OrderTransaction", order.id * 10 + 1),
      kind: "SALE",
      status: state.paid ? "SUCCESS" : "PENDING",
      gateway: order.gateway,
      processedAt: dateTime(state.paid && order.paidAt ? order.paidAt : order.placedAt),
      createdAt: dateTime(order.placedAt),
      amountSet: moneyBag(total, currency),
      paymentDetails: card ? { company: order.id % 3 === 0 ? "Mastercard" : "Visa", bin: order.id % 3 === 0 ? "545454" : "411111" } : null,
    };
    const list = [sale];
    const refund = state.refund;
    if (refund) {
      const refundTx = (id: number, status: "SUCCESS" | "FAILURE", at: Date): Json => ({
        id: gid("OrderTransaction", id),
        kind: "REFUND",
        status,
        gateway: order.gateway,
        processedAt: dateTime(at),
        createdAt: dateTime(at),
        amountSet: moneyBag(refund.amountCents, currency),
        paymentDetails: null,
      });
      if (refund.failedTransactionId !== null) list.push(refundTx(refund.failedTransactionId, "FAILURE", new Date(refund.at.getTime() - 60_000)));
      list.push(refundTx(refund.transactionId, "SUCCESS", refund.at));
    }
    return list;
  }

  function orderRecord(order: SimOrder, at: Date): GraphqlRecord {
    const state = orderStateAt(order, at);
    const subtotal = orderSubtotalCents(order);
    const discount = orderDiscountCents(order);
    const shipping = order.shipping?.priceCents ?? 0;
    const total = orderTotalCents(order);
    const customer = order.customer;
    const address = customer ? orderAddress(customer) : null;
    const visit = order.landingSite ? { landingPage: `https://${shopDomain}${order.landingSite}`, referrerUrl: order.referringSite } : null;
    const id = gid("Order", order.id);
    const node: Json = {
      id,
      name: `#${order.number}`,
      email: customer?.email ?? null,
      phone: null,
      createdAt: dateTime(order.placedAt),
      updatedAt: dateTime(at),
      processedAt: dateTime(order.placedAt),
      cancelledAt: state.cancelled && order.cancelledAt ? dateTime(order.cancelledAt) : null,
      closedAt: null,
      test: false,
      tags: [],
      currencyCode: currency,
      presentmentCurrencyCode: currency,
      customerLocale: "pt-BR",
      displayFinancialStatus: state.financialStatus.toUpperCase(),
      displayFulfillmentStatus: state.fulfilled ? "FULFILLED" : "UNFULFILLED",
      sourceName: SOURCE_NAME[order.channel],
      app: { id: gid("App", APP[order.channel].id), name: APP[order.channel].name },
      paymentGatewayNames: [order.gateway],
      customAttributes: order.noteAttributes.map((attribute) => ({ key: attribute.name, value: attribute.value })),
      customerJourneySummary: visit ? { firstVisit: visit, lastVisit: { ...visit } } : null,
      subtotalPriceSet: moneyBag(subtotal - discount, currency),
      totalDiscountsSet: moneyBag(discount, currency),
      totalShippingPriceSet: moneyBag(shipping, currency),
      totalTaxSet: moneyBag(0, currency),
      totalPriceSet: moneyBag(total, currency),
      totalRefundedSet: moneyBag(state.refund?.amountCents ?? 0, currency),
      billingAddress: order.channel === "pos" ? null : address,
      shippingAddress: order.shipping ? address : null,
      customer: customer ? customerFields(customer, at) : null,
      transactions: transactions(order, state),
      refunds: state.refund
        ? [{ id: gid("Refund", state.refund.id), createdAt: dateTime(state.refund.at), totalRefundedSet: moneyBag(state.refund.amountCents, currency) }]
        : [],
    };
    return { node, children: order.lines.map((line) => lineItem(line, id)) };
  }

  function productRecord(product: SimProduct): GraphqlRecord {
    const { catalog } = product;
    const id = gid("Product", product.id);
    const node: Json = {
      id,
      title: catalog.title,
      handle: product.handle,
      vendor: catalog.vendor,
      productType: catalog.category,
      tags: [...catalog.tags],
      status: "ACTIVE",
      createdAt: dateTime(product.createdAt),
      updatedAt: dateTime(product.createdAt),
      category: null,
      featuredMedia: { preview: { image: { url: `https://cdn.shopify.com/s/files/1/0637/4824/3546/files/${product.handle}.jpg` } } },
    };
    const children = product.variants.map((variant) => ({
      id: gid("ProductVariant", variant.id),
      title: variant.catalog.option ?? "Default Title",
      sku: variant.sku,
      price: decimal(variant.catalog.priceCents, currency),
      inventoryPolicy: "DENY",
      inventoryQuantity: variant.inventory,
      inventoryItem: { tracked: true },
      __parentId: id,
    }));
    return { node, children };
  }

  // Mirrors addOrderDeliveries in store-simulator.ts: the moment of the last webhook.
  function orderLastChange(order: SimOrder): Date {
    let last = order.placedAt.getTime() + 2_000;
    if (order.paidAt && order.paidAt.getTime() > order.placedAt.getTime()) last = Math.max(last, order.paidAt.getTime());
    if (order.cancelledAt) last = Math.max(last, order.cancelledAt.getTime());
    if (order.refund) last = Math.max(last, order.refund.at.getTime());
    return new Date(last);
  }

  function customerLastChange(customer: SimCustomer): Date {
    return customer.consentChange ? customer.consentChange.at : customer.createdAt;
  }

  function* bulkLines(root: GraphqlBulkRoot): Generator<Json> {
    const emit = function* (record: GraphqlRecord) {
      yield record.node;
      yield* record.children;
    };
    if (root === "customers") for (const customer of plan.customers) yield* emit(customerRecord(customer, customerLastChange(customer)));
    else if (root === "orders") for (const order of plan.orders) yield* emit(orderRecord(order, orderLastChange(order)));
    else for (const product of plan.products) yield* emit(productRecord(product));
  }

  return {
    plan,
    currency,
    shopDomain,
    shop: () => ({
      id: gid("Shop", SHOP_ID),
      name: SHOP_NAME,
      myshopifyDomain: shopDomain,
      currencyCode: currency,
      ianaTimezone: "America/Sao_Paulo",
      billingAddress: { countryCodeV2: "BR" },
    }),
    customerRecord,
    orderRecord,
    productRecord,
    customerById: (id) => customers.get(String(id)),
    orderById: (id) => orders.get(String(id)),
    productById: (id) => products.get(String(id)),
    orderLastChange,
    customerLastChange,
    bulkLines,
  };
}
