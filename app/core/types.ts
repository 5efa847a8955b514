// Platform-free shapes that adapters normalise into. Core logic and the database layer only ever
// see these; where a customer came from is data (`store.platform`), never a code path.

export type PlatformName = "shopify" | "woocommerce";
export type SalesChannel = "web" | "pos" | "draft" | "marketplace" | "other";
export type PaymentMethod = "card" | "boleto" | "pix" | "other";
export type FinancialStatus =
  | "pending"
  | "authorized"
  | "paid"
  | "partially_paid"
  | "partially_refunded"
  | "refunded"
  | "voided"
  | "unknown";
export type PaymentStatus = "pending" | "paid" | "expired" | "failed" | "refunded" | "cancelled";

/** Integer amount in the currency's minor unit (centavos for BRL). Never a float. */
export type Minor = bigint;

export interface Address {
  line1?: string | null;
  line2?: string | null;
  neighborhood?: string | null;
  city?: string | null;
  province?: string | null;
  country?: string | null;
  zip?: string | null;
  phone?: string | null;
}

export interface NormalizedCustomer {
  platformId: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  city: string | null;
  province: string | null;
  country: string | null;
  zip: string | null;
  addresses: Address[];
  birthDate: Date | null;
  gender: string | null;
  taxId: string | null;
  locale: string | null;
  acceptsEmailMarketing: boolean;
  acceptsSmsMarketing: boolean;
  consentUpdatedAt: Date | null;
  tags: string[];
  note: string | null;
  platformCreatedAt: Date | null;
  platformUpdatedAt: Date | null;
}

export interface NormalizedOrderLine {
  platformId: string | null;
  productId: string | null;
  variantId: string | null;
  sku: string | null;
  title: string;
  category: string | null;
  quantity: number;
  unitPriceMinor: Minor;
  discountMinor: Minor;
  totalMinor: Minor;
}

export interface NormalizedPayment {
  platformId: string;
  method: PaymentMethod;
  gateway: string | null;
  status: PaymentStatus;
  amountMinor: Minor;
  currency: string;
  boletoUrl: string | null;
  boletoBarcode: string | null;
  pixCode: string | null;
  dueAt: Date | null;
  paidAt: Date | null;
  createdAt: Date;
}

export interface NormalizedOrder {
  platformId: string;
  name: string | null;
  /** The customer as embedded in the order payload: an order for an unknown customer creates it. */
  customer: NormalizedCustomer | null;
  /**
   * The customer's platform id when the payload names the customer by its id only (a Shopify
   * bulk order: the customers phase loads the customers themselves); `customer` is null then.
   * Only the bulk loader reads it: it links the order to that customer without writing the row.
   */
  customerRef?: string;
  email: string | null;
  currency: string;
  subtotalMinor: Minor;
  discountMinor: Minor;
  shippingMinor: Minor;
  taxMinor: Minor;
  totalMinor: Minor;
  refundedMinor: Minor;
  financialStatus: FinancialStatus;
  fulfillmentStatus: string | null;
  channel: SalesChannel;
  paymentMethod: PaymentMethod;
  gateways: string[];
  tags: string[];
  landingSite: string | null;
  referringSite: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  test: boolean;
  placedAt: Date;
  cancelledAt: Date | null;
  closedAt: Date | null;
  platformUpdatedAt: Date | null;
  lines: NormalizedOrderLine[];
  payments: NormalizedPayment[];
}

export interface NormalizedCheckoutLine {
  productId: string | null;
  variantId: string | null;
  title: string;
  quantity: number;
  unitPriceMinor: Minor;
  imageUrl: string | null;
}

export interface NormalizedCheckout {
  platformId: string;
  customer: NormalizedCustomer | null;
  email: string | null;
  phone: string | null;
  recoveryUrl: string | null;
  currency: string;
  totalMinor: Minor;
  lines: NormalizedCheckoutLine[];
  startedAt: Date;
  platformUpdatedAt: Date | null;
  completedAt: Date | null;
  completedOrderId: string | null;
}

export interface NormalizedVariant {
  id: string;
  title: string;
  sku: string | null;
  priceMinor: string;
  available: boolean;
}

export interface NormalizedProduct {
  platformId: string;
  title: string;
  handle: string | null;
  vendor: string | null;
  category: string | null;
  tags: string[];
  status: string;
  imageUrl: string | null;
  priceMinor: Minor | null;
  currency: string | null;
  variants: NormalizedVariant[];
  inStock: boolean;
  platformUpdatedAt: Date | null;
}

/** What one webhook delivery means once an adapter has read it. */
export type NormalizedChange =
  | { kind: "customer.upsert"; customer: NormalizedCustomer }
  | { kind: "customer.delete"; platformId: string }
  | { kind: "order.upsert"; order: NormalizedOrder }
  | { kind: "order.delete"; platformId: string }
  | { kind: "checkout.upsert"; checkout: NormalizedCheckout }
  | { kind: "product.upsert"; product: NormalizedProduct }
  | { kind: "product.delete"; platformId: string }
  | { kind: "app.uninstalled" }
  | { kind: "compliance"; topic: string; payload: unknown }
  | { kind: "ignored"; reason: string };
