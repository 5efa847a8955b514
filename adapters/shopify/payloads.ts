// Shapes of the Shopify Admin REST webhook bodies we read (API 2026-01 style). Only the fields
// the CRM uses or that help debugging are listed. Shopify omits or nulls fields freely between
// versions and shops, so everything except the identifiers is optional and nullable; the
// normaliser validates what it depends on instead of trusting these types.

/** Shopify ids arrive as JSON numbers (13–14 digits, within Number.MAX_SAFE_INTEGER). */
export type ShopifyId = number;
/** Decimal money string with the currency's own precision: "49.90", "1500", "1.250". */
export type ShopifyDecimal = string;
/** ISO 8601 timestamp with the shop's offset: "2025-03-10T14:22:31-03:00". */
export type ShopifyTimestamp = string;

export interface ShopifyMoney {
  amount: ShopifyDecimal;
  currency_code: string;
}

/** Shop-currency and customer-currency versions of one amount. */
export interface ShopifyMoneySet {
  shop_money: ShopifyMoney;
  presentment_money?: ShopifyMoney | null;
}

export type ShopifyMarketingState =
  | "subscribed"
  | "not_subscribed"
  | "pending"
  | "unsubscribed"
  | "redacted"
  | "invalid";

export interface ShopifyEmailMarketingConsent {
  state?: ShopifyMarketingState | string | null;
  opt_in_level?: "single_opt_in" | "confirmed_opt_in" | "unknown" | string | null;
  consent_updated_at?: ShopifyTimestamp | null;
}

export interface ShopifySmsMarketingConsent extends ShopifyEmailMarketingConsent {
  consent_collected_from?: string | null;
}

/** A customer's saved address (customers/* payloads, `default_address`). */
export interface ShopifyCustomerAddress {
  id?: ShopifyId | null;
  customer_id?: ShopifyId | null;
  first_name?: string | null;
  last_name?: string | null;
  company?: string | null;
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  province?: string | null;
  country?: string | null;
  zip?: string | null;
  phone?: string | null;
  name?: string | null;
  province_code?: string | null;
  country_code?: string | null;
  country_name?: string | null;
  default?: boolean | null;
}

/** Billing / shipping address on orders and checkouts. */
export interface ShopifyOrderAddress {
  first_name?: string | null;
  last_name?: string | null;
  name?: string | null;
  company?: string | null;
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  province?: string | null;
  province_code?: string | null;
  country?: string | null;
  country_code?: string | null;
  zip?: string | null;
  phone?: string | null;
  latitude?: number | null;
  longitude?: number | null;
}

/** customers/create, customers/update, and the `customer` embedded in orders and checkouts. */
export interface ShopifyCustomerPayload {
  id: ShopifyId;
  admin_graphql_api_id?: string | null;
  email?: string | null;
  phone?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  created_at?: ShopifyTimestamp | null;
  updated_at?: ShopifyTimestamp | null;
  /** "disabled" for checkout-created customers without an account, "enabled" once they have one. */
  state?: "disabled" | "invited" | "enabled" | "declined" | string | null;
  note?: string | null;
  verified_email?: boolean | null;
  multipass_identifier?: string | null;
  tax_exempt?: boolean | null;
  tax_exemptions?: string[] | null;
  /** Comma-separated: "vip, atacado". */
  tags?: string | null;
  currency?: string | null;
  email_marketing_consent?: ShopifyEmailMarketingConsent | null;
  sms_marketing_consent?: ShopifySmsMarketingConsent | null;
  /** Legacy (pre email_marketing_consent) flag some shops still send. */
  accepts_marketing?: boolean | null;
  default_address?: ShopifyCustomerAddress | null;
  /** Present on customers/* topics; orders embed only `default_address`. */
  addresses?: ShopifyCustomerAddress[] | null;
  /** Removed from newer API versions; read defensively if at all. */
  orders_count?: number | null;
  total_spent?: ShopifyDecimal | null;
  last_order_id?: ShopifyId | null;
  last_order_name?: string | null;
}

/** customers/delete sends little more than the id. */
export interface ShopifyCustomerDeletePayload {
  id: ShopifyId;
  admin_graphql_api_id?: string | null;
  phone?: string | null;
  addresses?: ShopifyCustomerAddress[] | null;
  tax_exemptions?: string[] | null;
  email_marketing_consent?: ShopifyEmailMarketingConsent | null;
}

/** Merchant/app-set key-value pairs; Brazilian payment apps put boleto and Pix data here. */
export interface ShopifyNoteAttribute {
  name: string;
  value: string | null;
}

export interface ShopifyDiscountAllocation {
  amount?: ShopifyDecimal | null;
  amount_set?: ShopifyMoneySet | null;
  discount_application_index?: number | null;
}

export interface ShopifyTaxLine {
  title?: string | null;
  price?: ShopifyDecimal | null;
  price_set?: ShopifyMoneySet | null;
  rate?: number | null;
  channel_liable?: boolean | null;
}

export interface ShopifyLineItem {
  id?: ShopifyId | null;
  admin_graphql_api_id?: string | null;
  product_id?: ShopifyId | null;
  variant_id?: ShopifyId | null;
  sku?: string | null;
  title?: string | null;
  variant_title?: string | null;
  name?: string | null;
  vendor?: string | null;
  quantity?: number | null;
  current_quantity?: number | null;
  fulfillable_quantity?: number | null;
  fulfillment_status?: string | null;
  fulfillment_service?: string | null;
  /** Unit price before discounts. */
  price?: ShopifyDecimal | null;
  price_set?: ShopifyMoneySet | null;
  /** Deprecated and often "0.00" even when `discount_allocations` carry the real discount. */
  total_discount?: ShopifyDecimal | null;
  total_discount_set?: ShopifyMoneySet | null;
  discount_allocations?: ShopifyDiscountAllocation[] | null;
  gift_card?: boolean | null;
  grams?: number | null;
  requires_shipping?: boolean | null;
  taxable?: boolean | null;
  product_exists?: boolean | null;
  properties?: ShopifyNoteAttribute[] | null;
  tax_lines?: ShopifyTaxLine[] | null;
}

export interface ShopifyShippingLine {
  id?: ShopifyId | null;
  code?: string | null;
  title?: string | null;
  source?: string | null;
  carrier_identifier?: string | null;
  price?: ShopifyDecimal | null;
  price_set?: ShopifyMoneySet | null;
  discounted_price?: ShopifyDecimal | null;
  discounted_price_set?: ShopifyMoneySet | null;
  current_discounted_price_set?: ShopifyMoneySet | null;
  discount_allocations?: ShopifyDiscountAllocation[] | null;
  tax_lines?: ShopifyTaxLine[] | null;
  is_removed?: boolean | null;
  phone?: string | null;
  requested_fulfillment_service_id?: string | null;
}

export interface ShopifyDiscountCode {
  code?: string | null;
  amount?: ShopifyDecimal | null;
  type?: "fixed_amount" | "percentage" | "shipping" | string | null;
}

export interface ShopifyDiscountApplication {
  target_type?: string | null;
  type?: string | null;
  value?: string | null;
  value_type?: string | null;
  allocation_method?: string | null;
  target_selection?: string | null;
  code?: string | null;
  title?: string | null;
  description?: string | null;
}

export type ShopifyTransactionKind = "authorization" | "capture" | "sale" | "void" | "refund" | "change";
export type ShopifyTransactionStatus = "pending" | "failure" | "success" | "error";

export interface ShopifyTransaction {
  id?: ShopifyId | null;
  admin_graphql_api_id?: string | null;
  order_id?: ShopifyId | null;
  parent_id?: ShopifyId | null;
  kind?: ShopifyTransactionKind | string | null;
  status?: ShopifyTransactionStatus | string | null;
  /** In the transaction's own `currency` (the presentment currency on multi-currency shops). */
  amount?: ShopifyDecimal | null;
  currency?: string | null;
  gateway?: string | null;
  authorization?: string | null;
  error_code?: string | null;
  message?: string | null;
  source_name?: string | null;
  test?: boolean | null;
  created_at?: ShopifyTimestamp | null;
  processed_at?: ShopifyTimestamp | null;
  payment_details?: {
    credit_card_bin?: string | null;
    credit_card_company?: string | null;
    credit_card_number?: string | null;
    credit_card_name?: string | null;
    credit_card_wallet?: string | null;
    payment_method_name?: string | null;
  } | null;
}

export interface ShopifyRefundLineItem {
  id?: ShopifyId | null;
  line_item_id?: ShopifyId | null;
  quantity?: number | null;
  restock_type?: "no_restock" | "cancel" | "return" | "legacy_restock" | string | null;
  subtotal?: number | ShopifyDecimal | null;
  subtotal_set?: ShopifyMoneySet | null;
  total_tax?: number | ShopifyDecimal | null;
  total_tax_set?: ShopifyMoneySet | null;
}

export interface ShopifyRefund {
  id?: ShopifyId | null;
  admin_graphql_api_id?: string | null;
  order_id?: ShopifyId | null;
  created_at?: ShopifyTimestamp | null;
  processed_at?: ShopifyTimestamp | null;
  note?: string | null;
  restock?: boolean | null;
  user_id?: ShopifyId | null;
  refund_line_items?: ShopifyRefundLineItem[] | null;
  /** The money actually returned: kind "refund", status "success". */
  transactions?: ShopifyTransaction[] | null;
  order_adjustments?: unknown[] | null;
}

export type ShopifyFinancialStatus =
  | "pending"
  | "authorized"
  | "partially_paid"
  | "paid"
  | "partially_refunded"
  | "refunded"
  | "voided"
  | "expired";

/** orders/create, orders/updated, orders/paid, orders/cancelled, orders/fulfilled … */
export interface ShopifyOrderPayload {
  id: ShopifyId;
  admin_graphql_api_id?: string | null;
  /** "#1001". */
  name?: string | null;
  order_number?: number | null;
  number?: number | null;
  token?: string | null;
  checkout_id?: ShopifyId | null;
  checkout_token?: string | null;
  cart_token?: string | null;
  confirmation_number?: string | null;
  email?: string | null;
  contact_email?: string | null;
  phone?: string | null;
  /** Shop currency. */
  currency?: string | null;
  /** The customer's currency; the plain money fields may be in either depending on version. */
  presentment_currency?: string | null;
  customer_locale?: string | null;

  total_line_items_price?: ShopifyDecimal | null;
  total_line_items_price_set?: ShopifyMoneySet | null;
  /** After discounts, before shipping and taxes. */
  subtotal_price?: ShopifyDecimal | null;
  subtotal_price_set?: ShopifyMoneySet | null;
  total_discounts?: ShopifyDecimal | null;
  total_discounts_set?: ShopifyMoneySet | null;
  total_shipping_price_set?: ShopifyMoneySet | null;
  total_tax?: ShopifyDecimal | null;
  total_tax_set?: ShopifyMoneySet | null;
  total_tip_received?: ShopifyDecimal | null;
  /** As placed. */
  total_price?: ShopifyDecimal | null;
  total_price_set?: ShopifyMoneySet | null;
  /** After order edits, returns and refunds. */
  current_subtotal_price?: ShopifyDecimal | null;
  current_subtotal_price_set?: ShopifyMoneySet | null;
  current_total_discounts?: ShopifyDecimal | null;
  current_total_discounts_set?: ShopifyMoneySet | null;
  current_shipping_price_set?: ShopifyMoneySet | null;
  current_total_tax?: ShopifyDecimal | null;
  current_total_tax_set?: ShopifyMoneySet | null;
  current_total_price?: ShopifyDecimal | null;
  current_total_price_set?: ShopifyMoneySet | null;
  total_outstanding?: ShopifyDecimal | null;
  taxes_included?: boolean | null;
  estimated_taxes?: boolean | null;
  total_weight?: number | null;

  financial_status?: ShopifyFinancialStatus | string | null;
  fulfillment_status?: "fulfilled" | "partial" | "restocked" | string | null;
  confirmed?: boolean | null;
  test?: boolean | null;
  /** "web", "pos", "shopify_draft_order", "iphone", "android", or a sales-channel app id / handle. */
  source_name?: string | null;
  source_identifier?: string | null;
  source_url?: string | null;
  app_id?: number | null;
  location_id?: ShopifyId | null;
  user_id?: ShopifyId | null;
  /** Path (and query) of the first storefront page of the session: carries the UTM parameters. */
  landing_site?: string | null;
  landing_site_ref?: string | null;
  referring_site?: string | null;
  buyer_accepts_marketing?: boolean | null;
  note?: string | null;
  note_attributes?: ShopifyNoteAttribute[] | null;
  /** Comma-separated. */
  tags?: string | null;
  payment_gateway_names?: string[] | null;
  /** Deprecated single gateway name. */
  gateway?: string | null;
  processing_method?: string | null;
  discount_codes?: ShopifyDiscountCode[] | null;
  discount_applications?: ShopifyDiscountApplication[] | null;
  tax_lines?: ShopifyTaxLine[] | null;
  browser_ip?: string | null;
  client_details?: {
    browser_ip?: string | null;
    user_agent?: string | null;
    accept_language?: string | null;
    browser_height?: number | null;
    browser_width?: number | null;
    session_hash?: string | null;
  } | null;
  order_status_url?: string | null;

  created_at?: ShopifyTimestamp | null;
  updated_at?: ShopifyTimestamp | null;
  processed_at?: ShopifyTimestamp | null;
  cancelled_at?: ShopifyTimestamp | null;
  cancel_reason?: "customer" | "fraud" | "inventory" | "declined" | "other" | string | null;
  closed_at?: ShopifyTimestamp | null;

  customer?: ShopifyCustomerPayload | null;
  billing_address?: ShopifyOrderAddress | null;
  shipping_address?: ShopifyOrderAddress | null;
  line_items?: ShopifyLineItem[] | null;
  shipping_lines?: ShopifyShippingLine[] | null;
  refunds?: ShopifyRefund[] | null;
  /** Not part of standard order webhooks; read if an app or a REST fetch supplies it. */
  transactions?: ShopifyTransaction[] | null;
  fulfillments?: unknown[] | null;
}

export interface ShopifyOrderDeletePayload {
  id: ShopifyId;
}

export interface ShopifyCheckoutLineItem {
  key?: string | null;
  product_id?: ShopifyId | null;
  variant_id?: ShopifyId | null;
  sku?: string | null;
  title?: string | null;
  variant_title?: string | null;
  presentment_title?: string | null;
  vendor?: string | null;
  quantity?: number | null;
  price?: ShopifyDecimal | null;
  line_price?: ShopifyDecimal | null;
  compare_at_price?: ShopifyDecimal | null;
  requires_shipping?: boolean | null;
  taxable?: boolean | null;
  grams?: number | null;
  applied_discounts?: unknown[] | null;
  /** Not in every version; used when present. */
  image_url?: string | null;
}

/** checkouts/create, checkouts/update. */
export interface ShopifyCheckoutPayload {
  /** Removed from checkout webhooks in 2026-04: `token` is the stable key. */
  id?: ShopifyId | null;
  token?: string | null;
  cart_token?: string | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  currency?: string | null;
  presentment_currency?: string | null;
  customer_locale?: string | null;
  buyer_accepts_marketing?: boolean | null;
  gateway?: string | null;
  source_name?: string | null;
  source_identifier?: string | null;
  landing_site?: string | null;
  referring_site?: string | null;
  note?: string | null;
  note_attributes?: ShopifyNoteAttribute[] | null;
  abandoned_checkout_url?: string | null;
  subtotal_price?: ShopifyDecimal | null;
  total_line_items_price?: ShopifyDecimal | null;
  total_discounts?: ShopifyDecimal | null;
  total_tax?: ShopifyDecimal | null;
  total_price?: ShopifyDecimal | null;
  taxes_included?: boolean | null;
  total_weight?: number | null;
  created_at?: ShopifyTimestamp | null;
  updated_at?: ShopifyTimestamp | null;
  completed_at?: ShopifyTimestamp | null;
  closed_at?: ShopifyTimestamp | null;
  /** Not sent by every API version; orders carry `checkout_token` for the reverse link. */
  order_id?: ShopifyId | null;
  customer?: ShopifyCustomerPayload | null;
  billing_address?: ShopifyOrderAddress | null;
  shipping_address?: ShopifyOrderAddress | null;
  line_items?: ShopifyCheckoutLineItem[] | null;
  shipping_lines?: ShopifyShippingLine[] | null;
  discount_codes?: ShopifyDiscountCode[] | null;
}

export interface ShopifyProductVariant {
  id: ShopifyId;
  admin_graphql_api_id?: string | null;
  product_id?: ShopifyId | null;
  title?: string | null;
  sku?: string | null;
  barcode?: string | null;
  price?: ShopifyDecimal | null;
  compare_at_price?: ShopifyDecimal | null;
  position?: number | null;
  option1?: string | null;
  option2?: string | null;
  option3?: string | null;
  taxable?: boolean | null;
  requires_shipping?: boolean | null;
  /** "deny" | "continue": whether it can be sold when out of stock. */
  inventory_policy?: "deny" | "continue" | string | null;
  /** "shopify" when Shopify tracks stock, null when untracked. */
  inventory_management?: string | null;
  inventory_quantity?: number | null;
  old_inventory_quantity?: number | null;
  inventory_item_id?: ShopifyId | null;
  image_id?: ShopifyId | null;
  grams?: number | null;
  weight?: number | null;
  weight_unit?: string | null;
  created_at?: ShopifyTimestamp | null;
  updated_at?: ShopifyTimestamp | null;
}

export interface ShopifyProductImage {
  id?: ShopifyId | null;
  admin_graphql_api_id?: string | null;
  product_id?: ShopifyId | null;
  position?: number | null;
  src?: string | null;
  alt?: string | null;
  width?: number | null;
  height?: number | null;
  variant_ids?: ShopifyId[] | null;
}

export interface ShopifyProductOption {
  id?: ShopifyId | null;
  product_id?: ShopifyId | null;
  name?: string | null;
  position?: number | null;
  values?: string[] | null;
}

/** products/create, products/update. */
export interface ShopifyProductPayload {
  id: ShopifyId;
  admin_graphql_api_id?: string | null;
  title?: string | null;
  body_html?: string | null;
  vendor?: string | null;
  /** Merchant-defined type; used as the product's category. */
  product_type?: string | null;
  /** Standard product taxonomy category, when set. */
  category?: { admin_graphql_api_id?: string | null; name?: string | null; full_name?: string | null } | null;
  handle?: string | null;
  /** Comma-separated. */
  tags?: string | null;
  status?: "active" | "archived" | "draft" | "unlisted" | string | null;
  published_at?: ShopifyTimestamp | null;
  published_scope?: string | null;
  template_suffix?: string | null;
  created_at?: ShopifyTimestamp | null;
  updated_at?: ShopifyTimestamp | null;
  variants?: ShopifyProductVariant[] | null;
  options?: ShopifyProductOption[] | null;
  images?: ShopifyProductImage[] | null;
  image?: ShopifyProductImage | null;
  variant_gids?: { admin_graphql_api_id: string; updated_at?: string | null }[] | null;
}

export interface ShopifyProductDeletePayload {
  id: ShopifyId;
}

/** app/uninstalled sends the shop resource. */
export interface ShopifyShopPayload {
  id?: ShopifyId | null;
  name?: string | null;
  email?: string | null;
  domain?: string | null;
  myshopify_domain?: string | null;
  currency?: string | null;
  iana_timezone?: string | null;
  country_code?: string | null;
  primary_locale?: string | null;
  plan_name?: string | null;
}

export interface ShopifyCustomersDataRequestPayload {
  shop_id: ShopifyId;
  shop_domain: string;
  orders_requested?: ShopifyId[] | null;
  customer?: { id?: ShopifyId | null; email?: string | null; phone?: string | null } | null;
  data_request?: { id?: ShopifyId | null } | null;
}

export interface ShopifyCustomersRedactPayload {
  shop_id: ShopifyId;
  shop_domain: string;
  customer?: { id?: ShopifyId | null; email?: string | null; phone?: string | null } | null;
  orders_to_redact?: ShopifyId[] | null;
}

export interface ShopifyShopRedactPayload {
  shop_id: ShopifyId;
  shop_domain: string;
}

/** Topic (as in `X-Shopify-Topic`) → body type, for the topics this adapter understands. */
export interface ShopifyWebhookPayloads {
  "customers/create": ShopifyCustomerPayload;
  "customers/update": ShopifyCustomerPayload;
  "customers/enable": ShopifyCustomerPayload;
  "customers/disable": ShopifyCustomerPayload;
  "customers/delete": ShopifyCustomerDeletePayload;
  "orders/create": ShopifyOrderPayload;
  "orders/updated": ShopifyOrderPayload;
  "orders/paid": ShopifyOrderPayload;
  "orders/cancelled": ShopifyOrderPayload;
  "orders/fulfilled": ShopifyOrderPayload;
  "orders/partially_fulfilled": ShopifyOrderPayload;
  "orders/delete": ShopifyOrderDeletePayload;
  "checkouts/create": ShopifyCheckoutPayload;
  "checkouts/update": ShopifyCheckoutPayload;
  "products/create": ShopifyProductPayload;
  "products/update": ShopifyProductPayload;
  "products/delete": ShopifyProductDeletePayload;
  "app/uninstalled": ShopifyShopPayload;
  "customers/data_request": ShopifyCustomersDataRequestPayload;
  "customers/redact": ShopifyCustomersRedactPayload;
  "shop/redact": ShopifyShopRedactPayload;
}

export type ShopifyWebhookTopic = keyof ShopifyWebhookPayloads;
