// Renders the simulated shop's state as the Shopify webhook bodies (REST, API 2026-01 style).
// Pure: the same entity at the same moment always renders the same body, so payloads can be
// built lazily while deliveries are consumed.

import { currencyDecimals } from "../normalize";
import type {
  ShopifyCheckoutLineItem,
  ShopifyCheckoutPayload,
  ShopifyCustomerAddress,
  ShopifyCustomerPayload,
  ShopifyLineItem,
  ShopifyMoneySet,
  ShopifyOrderAddress,
  ShopifyOrderPayload,
  ShopifyProductPayload,
  ShopifyRefund,
  ShopifyTransaction,
} from "../payloads";
import { STATE_NAMES, shopTimestamp } from "./brazil";
import {
  type SimCheckout,
  type SimCustomer,
  type SimLine,
  type SimOrder,
  type SimProduct,
  type SimRefund,
  lineGrossCents,
  orderDiscountCents,
  orderStateAt,
  orderSubtotalCents,
  orderTotalCents,
} from "./model";

export interface RenderContext {
  shopDomain: string;
  /** Numeric shop id that appears in storefront URLs. */
  shopId: number;
  currency: string;
}

// Ids of Shopify's own sales-channel apps, as `app_id` shows them.
const APP_ID = { web: 580111, pos: 129785, draft: 1354745 } as const;
const SOURCE_NAME = { web: "web", pos: "pos", draft: "shopify_draft_order" } as const;
const STAFF_USER_ID = 104_857_600_001;

/** Minor units → Shopify decimal string in the currency's own precision ("49.90", "1500", "4.990"). */
export function formatMoney(minor: number | bigint, currency: string): string {
  const decimals = currencyDecimals(currency);
  const value = BigInt(minor);
  const sign = value < 0n ? "-" : "";
  const digits = (value < 0n ? -value : value).toString().padStart(decimals + 1, "0");
  if (decimals === 0) return sign + digits;
  return `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

function moneySet(minor: number, currency: string): ShopifyMoneySet {
  const money = { amount: formatMoney(minor, currency), currency_code: currency };
  return { shop_money: money, presentment_money: { ...money } };
}

const gid = (type: string, id: number) => `gid://shopify/${type}/${id}`;

// ------------------------------------------------------------------------------------------
// Products
// ------------------------------------------------------------------------------------------

export function productPayload(product: SimProduct, ctx: RenderContext): ShopifyProductPayload {
  const { catalog } = product;
  const createdAt = shopTimestamp(product.createdAt);
  const image = {
    id: product.imageId,
    admin_graphql_api_id: gid("ProductImage", product.imageId),
    product_id: product.id,
    position: 1,
    alt: catalog.title,
    width: 1200,
    height: 1200,
    src: `https://cdn.shopify.com/s/files/1/0637/4824/3546/files/${product.handle}.jpg`,
    variant_ids: [],
  };
  return {
    id: product.id,
    admin_graphql_api_id: gid("Product", product.id),
    title: catalog.title,
    body_html: `<p>${catalog.description}</p>`,
    vendor: catalog.vendor,
    product_type: catalog.category,
    handle: product.handle,
    tags: catalog.tags.join(", "),
    status: "active",
    published_at: createdAt,
    published_scope: "global",
    template_suffix: null,
    created_at: createdAt,
    updated_at: createdAt,
    category: null,
    options: [
      {
        product_id: product.id,
        name: catalog.optionName ?? "Title",
        position: 1,
        values: catalog.variants.map((variant) => variant.option ?? "Default Title"),
      },
    ],
    variants: product.variants.map((variant) => ({
      id: variant.id,
      admin_graphql_api_id: gid("ProductVariant", variant.id),
      product_id: product.id,
      title: variant.catalog.option ?? "Default Title",
      sku: variant.sku,
      barcode: null,
      price: formatMoney(variant.catalog.priceCents, ctx.currency),
      compare_at_price: variant.catalog.compareAtCents ? formatMoney(variant.catalog.compareAtCents, ctx.currency) : null,
      position: variant.position,
      option1: variant.catalog.option ?? "Default Title",
      option2: null,
      option3: null,
      taxable: true,
      requires_shipping: true,
      inventory_policy: "deny",
      inventory_management: "shopify",
      inventory_quantity: variant.inventory,
      old_inventory_quantity: variant.inventory,
      inventory_item_id: variant.inventoryItemId,
      image_id: null,
      grams: catalog.grams,
      weight: catalog.grams / 1000,
      weight_unit: "kg",
      created_at: createdAt,
      updated_at: createdAt,
    })),
    images: [image],
    image,
    variant_gids: product.variants.map((variant) => ({
      admin_graphql_api_id: gid("ProductVariant", variant.id),
      updated_at: product.createdAt.toISOString(),
    })),
  };
}

// ------------------------------------------------------------------------------------------
// Customers
// ------------------------------------------------------------------------------------------

function customerAddress(customer: SimCustomer): ShopifyCustomerAddress {
  return {
    id: customer.addressId,
    customer_id: customer.id,
    first_name: customer.firstName,
    last_name: customer.lastName,
    company: null,
    address1: customer.street.address1,
    address2: customer.street.address2,
    city: customer.city.name,
    province: STATE_NAMES[customer.city.stateCode] ?? customer.city.stateCode,
    country: "Brazil",
    zip: customer.zip,
    phone: customer.phone,
    name: `${customer.firstName} ${customer.lastName}`,
    province_code: customer.city.stateCode,
    country_code: "BR",
    country_name: "Brazil",
    default: true,
  };
}

function orderAddress(customer: SimCustomer): ShopifyOrderAddress {
  const { id: _id, customer_id: _customerId, default: _default, country_name: _countryName, ...address } = customerAddress(customer);
  return { ...address, latitude: null, longitude: null };
}

/** Whether the customer is subscribed to e-mail at `at`, and since when the state holds. */
export function emailConsentAt(customer: SimCustomer, at: Date): { subscribed: boolean; since: Date | null } {
  const change = customer.consentChange;
  if (change && change.at.getTime() <= at.getTime()) return { subscribed: change.subscribed, since: change.at };
  return { subscribed: customer.emailSubscribed, since: customer.emailSubscribed ? customer.createdAt : null };
}

/**
 * customers/* body (`full`), or the reduced customer embedded in orders and checkouts, as it
 * looked at `at`.
 */
export function customerPayload(customer: SimCustomer, at: Date, ctx: RenderContext, full = true): ShopifyCustomerPayload {
  const consent = emailConsentAt(customer, at);
  const address = customerAddress(customer);
  const payload: ShopifyCustomerPayload = {
    id: customer.id,
    email: customer.email,
    created_at: shopTimestamp(customer.createdAt),
    updated_at: shopTimestamp(at),
    first_name: customer.firstName,
    last_name: customer.lastName,
    state: customer.hasAccount ? "enabled" : "disabled",
    note: null,
    verified_email: true,
    multipass_identifier: null,
    tax_exempt: false,
    phone: customer.phone,
    email_marketing_consent: {
      state: consent.subscribed ? "subscribed" : consent.since ? "unsubscribed" : "not_subscribed",
      opt_in_level: "single_opt_in",
      consent_updated_at: consent.since ? shopTimestamp(consent.since) : null,
    },
    sms_marketing_consent: customer.phone
      ? {
          state: customer.smsSubscribed ? "subscribed" : "not_subscribed",
          opt_in_level: "single_opt_in",
          consent_updated_at: customer.smsSubscribed ? shopTimestamp(customer.createdAt) : null,
          consent_collected_from: "SHOPIFY",
        }
      : null,
    tags: "",
    currency: ctx.currency,
    tax_exemptions: [],
    admin_graphql_api_id: gid("Customer", customer.id),
    default_address: address,
  };
  if (full) payload.addresses = [address];
  return payload;
}

// ------------------------------------------------------------------------------------------
// Orders
// ------------------------------------------------------------------------------------------

function lineItemPayload(line: SimLine, state: ReturnType<typeof orderStateAt>, ctx: RenderContext): ShopifyLineItem & Record<string, unknown> {
  const { catalog } = line.product;
  const option = line.variant.catalog.option;
  const refundedUnits = !state.refund ? 0 : state.refund.line === null ? line.quantity : state.refund.line === line ? 1 : 0;
  return {
    id: line.id,
    admin_graphql_api_id: gid("LineItem", line.id),
    attributed_staffs: [],
    current_quantity: line.quantity - refundedUnits,
    fulfillable_quantity: state.fulfilled || state.cancelled ? 0 : line.quantity,
    fulfillment_service: "manual",
    fulfillment_status: state.fulfilled ? "fulfilled" : null,
    gift_card: false,
    grams: catalog.grams,
    name: option ? `${catalog.title} - ${option}` : catalog.title,
    price: formatMoney(line.variant.catalog.priceCents, ctx.currency),
    price_set: moneySet(line.variant.catalog.priceCents, ctx.currency),
    product_exists: true,
    product_id: line.product.id,
    properties: [],
    quantity: line.quantity,
    requires_shipping: true,
    sku: line.variant.sku,
    taxable: true,
    title: catalog.title,
    // Deprecated field; Shopify reports code discounts in discount_allocations instead.
    total_discount: formatMoney(0, ctx.currency),
    total_discount_set: moneySet(0, ctx.currency),
    variant_id: line.variant.id,
    variant_inventory_management: "shopify",
    variant_title: option,
    vendor: catalog.vendor,
    tax_lines: [],
    duties: [],
    discount_allocations:
      line.discountCents > 0
        ? [{ amount: formatMoney(line.discountCents, ctx.currency), amount_set: moneySet(line.discountCents, ctx.currency), discount_application_index: 0 }]
        : [],
  };
}

function transactionPayload(
  order: SimOrder,
  refund: SimRefund,
  id: number,
  status: "success" | "failure",
  ctx: RenderContext,
): ShopifyTransaction & Record<string, unknown> {
  const at = shopTimestamp(status === "success" ? refund.at : new Date(refund.at.getTime() - 60_000));
  return {
    id,
    admin_graphql_api_id: gid("OrderTransaction", id),
    amount: formatMoney(refund.amountCents, ctx.currency),
    authorization: null,
    created_at: at,
    currency: ctx.currency,
    device_id: null,
    error_code: status === "failure" ? "processing_error" : null,
    gateway: order.gateway,
    kind: "refund",
    location_id: null,
    message: status === "failure" ? "Falha ao processar o estorno" : "Estorno aprovado",
    order_id: order.id,
    parent_id: null,
    payment_id: `#${order.number}.${status === "success" ? 2 : 3}`,
    processed_at: at,
    receipt: {},
    source_name: "web",
    status,
    test: false,
    user_id: null,
  };
}

function refundPayload(order: SimOrder, refund: SimRefund, ctx: RenderContext): ShopifyRefund & Record<string, unknown> {
  const lines = refund.line ? [refund.line] : order.lines;
  const transactions = [
    ...(refund.failedTransactionId !== null ? [transactionPayload(order, refund, refund.failedTransactionId, "failure", ctx)] : []),
    transactionPayload(order, refund, refund.transactionId, "success", ctx),
  ];
  return {
    id: refund.id,
    admin_graphql_api_id: gid("Refund", refund.id),
    created_at: shopTimestamp(refund.at),
    note: refund.line ? "Devolução de item" : order.cancelledAt ? "Pedido cancelado" : "Reembolso integral",
    order_id: order.id,
    processed_at: shopTimestamp(refund.at),
    restock: true,
    total_duties_set: moneySet(0, ctx.currency),
    user_id: STAFF_USER_ID,
    order_adjustments: [],
    transactions,
    refund_line_items: lines.map((line, index) => {
      const quantity = refund.line ? 1 : line.quantity;
      const net = refund.line ? refund.amountCents : lineGrossCents(line) - line.discountCents;
      return {
        id: refund.id + index + 1,
        line_item_id: line.id,
        location_id: null,
        quantity,
        restock_type: order.cancelledAt ? "cancel" : "return",
        subtotal: Number(formatMoney(net, ctx.currency)),
        subtotal_set: moneySet(net, ctx.currency),
        total_tax: 0,
        total_tax_set: moneySet(0, ctx.currency),
      };
    }),
    duties: [],
  };
}

/** The order as a webhook sent at `at` shows it (orders/create, orders/paid, orders/updated …). */
export function orderPayload(order: SimOrder, at: Date, ctx: RenderContext): ShopifyOrderPayload & Record<string, unknown> {
  const currency = ctx.currency;
  const state = orderStateAt(order, at);
  const subtotal = orderSubtotalCents(order);
  const discount = orderDiscountCents(order);
  const shipping = order.shipping?.priceCents ?? 0;
  const total = orderTotalCents(order);
  const refunded = state.refund?.amountCents ?? 0;
  const customer = order.customer;
  const placedAt = shopTimestamp(order.placedAt);
  const web = order.channel === "web";
  const ip = `177.${Math.floor(order.id / 7) % 256}.${Math.floor(order.id / 1_000) % 256}.${order.id % 250}`;
  const address = customer ? orderAddress(customer) : null;

  return {
    id: order.id,
    admin_graphql_api_id: gid("Order", order.id),
    app_id: APP_ID[order.channel],
    browser_ip: web ? ip : null,
    buyer_accepts_marketing: customer ? emailConsentAt(customer, order.placedAt).subscribed : false,
    cancel_reason: state.cancelled ? order.cancelReason : null,
    cancelled_at: state.cancelled && order.cancelledAt ? shopTimestamp(order.cancelledAt) : null,
    cart_token: null,
    checkout_id: order.checkoutId,
    checkout_token: order.checkoutToken,
    client_details: web
      ? {
          accept_language: "pt-BR",
          browser_height: null,
          browser_ip: ip,
          browser_width: null,
          session_hash: null,
          user_agent: order.id % 3 === 0
            ? "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
            : "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        }
      : null,
    closed_at: null,
    company: null,
    confirmation_number: order.confirmationNumber,
    confirmed: true,
    contact_email: customer?.email ?? null,
    created_at: placedAt,
    currency,
    current_shipping_price_set: moneySet(state.refund && !state.refund.line ? 0 : shipping, currency),
    current_subtotal_price: formatMoney(state.refund && !state.refund.line ? 0 : subtotal - discount - refunded, currency),
    current_subtotal_price_set: moneySet(state.refund && !state.refund.line ? 0 : subtotal - discount - refunded, currency),
    current_total_discounts: formatMoney(discount, currency),
    current_total_discounts_set: moneySet(discount, currency),
    current_total_duties_set: null,
    current_total_price: formatMoney(total - refunded, currency),
    current_total_price_set: moneySet(total - refunded, currency),
    current_total_tax: formatMoney(0, currency),
    current_total_tax_set: moneySet(0, currency),
    customer_locale: "pt-BR",
    device_id: null,
    discount_codes: order.discountCode
      ? [{ code: order.discountCode.code, amount: formatMoney(discount, currency), type: "percentage" }]
      : [],
    duties_included: false,
    email: customer?.email ?? "",
    estimated_taxes: false,
    financial_status: state.financialStatus,
    fulfillment_status: state.fulfilled ? "fulfilled" : null,
    landing_site: order.landingSite,
    landing_site_ref: null,
    location_id: order.locationId,
    name: `#${order.number}`,
    note: null,
    note_attributes: order.noteAttributes.map((attribute) => ({ ...attribute })),
    number: order.number - 1000,
    order_number: order.number,
    order_status_url: `https://${ctx.shopDomain}/${ctx.shopId}/orders/${order.token}/authenticate?key=${order.token.split("").reverse().join("")}`,
    payment_gateway_names: [order.gateway],
    phone: null,
    po_number: null,
    presentment_currency: currency,
    processed_at: placedAt,
    reference: null,
    referring_site: order.referringSite,
    source_identifier: null,
    source_name: SOURCE_NAME[order.channel],
    source_url: null,
    subtotal_price: formatMoney(subtotal - discount, currency),
    subtotal_price_set: moneySet(subtotal - discount, currency),
    tags: "",
    tax_exempt: false,
    tax_lines: [],
    taxes_included: false,
    test: false,
    token: order.token,
    total_discounts: formatMoney(discount, currency),
    total_discounts_set: moneySet(discount, currency),
    total_line_items_price: formatMoney(subtotal, currency),
    total_line_items_price_set: moneySet(subtotal, currency),
    total_outstanding: formatMoney(state.paid || state.cancelled ? 0 : total, currency),
    total_price: formatMoney(total, currency),
    total_price_set: moneySet(total, currency),
    total_shipping_price_set: moneySet(shipping, currency),
    total_tax: formatMoney(0, currency),
    total_tax_set: moneySet(0, currency),
    total_tip_received: formatMoney(0, currency),
    total_weight: order.lines.reduce((sum, line) => sum + line.product.catalog.grams * line.quantity, 0),
    updated_at: shopTimestamp(at),
    user_id: order.channel === "web" ? null : STAFF_USER_ID,
    billing_address: order.channel === "pos" ? null : address,
    customer: customer ? customerPayload(customer, at, ctx, false) : null,
    discount_applications: order.discountCode
      ? [
          {
            target_type: "line_item",
            type: "discount_code",
            value: `${order.discountCode.percent}.0`,
            value_type: "percentage",
            allocation_method: "across",
            target_selection: "all",
            code: order.discountCode.code,
          },
        ]
      : [],
    fulfillments: [],
    line_items: order.lines.map((line) => lineItemPayload(line, state, ctx)),
    payment_terms: null,
    refunds: state.refund ? [refundPayload(order, state.refund, ctx)] : [],
    shipping_address: order.shipping ? address : null,
    shipping_lines: order.shipping
      ? [
          {
            id: order.shipping.id,
            carrier_identifier: null,
            code: order.shipping.code,
            current_discounted_price_set: moneySet(order.shipping.priceCents, currency),
            discounted_price: formatMoney(order.shipping.priceCents, currency),
            discounted_price_set: moneySet(order.shipping.priceCents, currency),
            is_removed: false,
            phone: null,
            price: formatMoney(order.shipping.priceCents, currency),
            price_set: moneySet(order.shipping.priceCents, currency),
            requested_fulfillment_service_id: null,
            source: "shopify",
            title: order.shipping.title,
            tax_lines: [],
            discount_allocations: [],
          },
        ]
      : [],
    returns: [],
  };
}

// ------------------------------------------------------------------------------------------
// Checkouts
// ------------------------------------------------------------------------------------------

/** checkouts/create (`phase` "create": contact only) or checkouts/update (address filled in, maybe completed). */
export function checkoutPayload(checkout: SimCheckout, phase: "create" | "update", ctx: RenderContext): ShopifyCheckoutPayload & Record<string, unknown> {
  const currency = ctx.currency;
  const at = phase === "create" ? checkout.createdAt : checkout.updatedAt;
  const detailed = phase === "update";
  const { customer, order } = checkout;
  const lineItems = checkout.lines.map(({ product, variant, quantity }, index): ShopifyCheckoutLineItem & Record<string, unknown> => {
    const option = variant.catalog.option;
    return {
      applied_discounts: [],
      discount_allocations: [],
      key: `${checkout.token.slice(0, 24)}${String(index).padStart(8, "0")}`,
      destination_location_id: null,
      fulfillment_service: "manual",
      gift_card: false,
      grams: product.catalog.grams,
      origin_location_id: null,
      presentment_title: product.catalog.title,
      presentment_variant_title: option ?? "",
      product_id: product.id,
      properties: null,
      quantity,
      requires_shipping: true,
      sku: variant.sku,
      tax_lines: [],
      taxable: true,
      title: product.catalog.title,
      variant_id: variant.id,
      variant_title: option ?? "",
      variant_price: formatMoney(variant.catalog.priceCents, currency),
      vendor: product.catalog.vendor,
      compare_at_price: null,
      line_price: formatMoney(variant.catalog.priceCents * quantity, currency),
      price: formatMoney(variant.catalog.priceCents, currency),
    };
  });
  const lineTotal = checkout.lines.reduce((sum, line) => sum + lineGrossCents(line), 0);
  const discount = order && detailed ? orderDiscountCents(order) : 0;
  const shipping = order && detailed ? (order.shipping?.priceCents ?? 0) : 0;
  const address = detailed ? orderAddress(customer) : null;

  return {
    id: checkout.id,
    token: checkout.token,
    cart_token: checkout.token.split("").reverse().join(""),
    email: customer.email,
    gateway: null,
    buyer_accepts_marketing: emailConsentAt(customer, at).subscribed,
    buyer_accepts_sms: false,
    sms_marketing_phone: null,
    created_at: shopTimestamp(checkout.createdAt),
    updated_at: shopTimestamp(at),
    landing_site: checkout.landingSite,
    note: null,
    note_attributes: [],
    referring_site: checkout.referringSite,
    shipping_lines: [],
    shipping_address: address,
    billing_address: address,
    taxes_included: false,
    total_weight: checkout.lines.reduce((sum, line) => sum + line.product.catalog.grams * line.quantity, 0),
    currency,
    presentment_currency: currency,
    completed_at: detailed && checkout.completedAt ? shopTimestamp(checkout.completedAt) : null,
    closed_at: null,
    phone: detailed ? customer.phone : null,
    customer_locale: "pt-BR",
    line_items: lineItems,
    name: `#${checkout.id}`,
    abandoned_checkout_url: `https://${ctx.shopDomain}/${ctx.shopId}/checkouts/ac/${checkout.token}/recover?key=${checkout.token.slice(8, 24)}&locale=pt-BR`,
    discount_codes: order?.discountCode && detailed ? [{ code: order.discountCode.code, amount: formatMoney(discount, currency), type: "percentage" }] : [],
    tax_lines: [],
    source_name: "web",
    source_identifier: null,
    source_url: null,
    device_id: null,
    user_id: null,
    location_id: null,
    total_line_items_price: formatMoney(lineTotal, currency),
    subtotal_price: formatMoney(lineTotal - discount, currency),
    total_discounts: formatMoney(discount, currency),
    total_tax: formatMoney(0, currency),
    total_duties: null,
    total_price: formatMoney(lineTotal - discount + shipping, currency),
    customer: customerPayload(customer, at, ctx, false),
  };
}
