// The simulated shop's state before it is rendered as Shopify payloads. Ids are 0 while planning
// and assigned afterwards in chronological order, the way Shopify's ids grow over time.

import type { City, StreetAddress } from "./brazil";
import type { CatalogProduct, CatalogVariant, Category } from "./catalog";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface SimVariant {
  id: number;
  inventoryItemId: number;
  position: number;
  sku: string;
  catalog: CatalogVariant;
  inventory: number;
}

export interface SimProduct {
  id: number;
  imageId: number;
  handle: string;
  createdAt: Date;
  catalog: CatalogProduct;
  variants: SimVariant[];
}

export interface ConsentChange {
  at: Date;
  subscribed: boolean;
}

export interface SimCustomer {
  id: number;
  addressId: number;
  /** First contact with the shop (first checkout or order), minus a few seconds. */
  createdAt: Date;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  city: City;
  zip: string;
  street: StreetAddress;
  /** Customers created by checkout are "disabled" until they create an account. */
  hasAccount: boolean;
  emailSubscribed: boolean;
  smsSubscribed: boolean;
  consentChange: ConsentChange | null;
  favourite: Category;
  /** Orders per year while active (gamma-distributed across customers). */
  purchaseRate: number;
  /** Chance of never coming back after each order (beta-distributed across customers). */
  dropout: number;
}

export interface SimLine {
  id: number;
  product: SimProduct;
  variant: SimVariant;
  quantity: number;
  discountCents: number;
}

export type SimChannel = "web" | "pos" | "draft";
/** What the order really was paid with; "cash" and "manual" normalise to "other". */
export type SimMethod = "card" | "pix" | "boleto" | "cash" | "manual";

export interface SimRefund {
  id: number;
  transactionId: number;
  /** A declined first attempt, as gateways sometimes report before the successful one. */
  failedTransactionId: number | null;
  at: Date;
  amountCents: number;
  /** The line refunded (one unit) for partial refunds; null for a full refund. */
  line: SimLine | null;
}

export interface SimShipping {
  id: number;
  title: string;
  code: string;
  priceCents: number;
}

export interface SimOrder {
  id: number;
  number: number;
  token: string;
  confirmationNumber: string;
  checkoutId: number | null;
  checkoutToken: string | null;
  customer: SimCustomer | null;
  placedAt: Date;
  channel: SimChannel;
  method: SimMethod;
  gateway: string;
  lines: SimLine[];
  discountCode: { code: string; percent: number } | null;
  shipping: SimShipping | null;
  landingSite: string | null;
  referringSite: string | null;
  noteAttributes: { name: string; value: string }[];
  /** null: not paid by the end of the simulation. */
  paidAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  refund: SimRefund | null;
  fulfilledAt: Date | null;
  locationId: number | null;
}

export interface SimCheckout {
  id: number;
  token: string;
  customer: SimCustomer;
  createdAt: Date;
  /** When contact/shipping details were filled in: the checkouts/update. */
  updatedAt: Date;
  lines: { product: SimProduct; variant: SimVariant; quantity: number }[];
  completedAt: Date | null;
  order: SimOrder | null;
  landingSite: string | null;
  referringSite: string | null;
}

export function lineGrossCents(line: { variant: SimVariant; quantity: number }): number {
  return line.variant.catalog.priceCents * line.quantity;
}

export function orderSubtotalCents(order: SimOrder): number {
  return order.lines.reduce((sum, line) => sum + lineGrossCents(line), 0);
}

export function orderDiscountCents(order: SimOrder): number {
  return order.lines.reduce((sum, line) => sum + line.discountCents, 0);
}

export function orderTotalCents(order: SimOrder): number {
  return orderSubtotalCents(order) - orderDiscountCents(order) + (order.shipping?.priceCents ?? 0);
}

/** Order state at a moment: what a webhook sent at `at` would show. */
export function orderStateAt(order: SimOrder, at: Date) {
  const time = at.getTime();
  const paid = order.paidAt !== null && order.paidAt.getTime() <= time;
  const cancelled = order.cancelledAt !== null && order.cancelledAt.getTime() <= time;
  const refund = order.refund && order.refund.at.getTime() <= time ? order.refund : null;
  const fulfilled = !cancelled && order.fulfilledAt !== null && order.fulfilledAt.getTime() <= time;
  let financialStatus: string;
  if (refund) financialStatus = refund.amountCents >= orderTotalCents(order) ? "refunded" : "partially_refunded";
  else if (cancelled) financialStatus = paid ? "refunded" : "voided";
  else financialStatus = paid ? "paid" : "pending";
  return { paid, cancelled, refund, fulfilled, financialStatus };
}
