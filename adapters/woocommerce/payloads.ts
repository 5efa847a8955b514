// WooCommerce REST v3 shapes (/wp-json/wc/v3), as zod schemas: the normaliser parses webhook
// bodies and REST pages with them, the simulator (test/support/woocommerce-simulator.ts) renders
// them. Only the fields caderninho reads are declared; everything else passes through (loose).
// Webhook payloads are the same JSON as a REST GET of the resource; `deleted` events send `{ id }`.
import { z } from "zod";

/** WooCommerce writes money as decimal strings ("89.90"); some plugins send numbers. */
const decimal = z.union([z.string(), z.number()]).transform((v) => String(v).trim());
const text = z.string().nullish().transform((v) => (v ?? "").trim());
/** `_gmt` timestamps have no zone designator ("2026-03-01T13:00:00"): they are UTC. */
const gmtDate = z
  .string()
  .nullish()
  .transform((v, ctx) => {
    if (!v) return null;
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: "custom", message: `not a timestamp: ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return d;
  });
const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);

export const metaSchema = z.object({ id: id.optional(), key: z.string(), value: z.unknown() }).loose();
export type WooMeta = z.infer<typeof metaSchema>;
const metaList = z.array(metaSchema).nullish().transform((v) => v ?? []);

/** Billing/shipping, with the Brazilian Market plugin's extra fields (claudiosanches/woocommerce-extra-checkout-fields-for-brazil). */
export const addressSchema = z
  .object({
    first_name: text,
    last_name: text,
    company: text,
    address_1: text,
    address_2: text,
    city: text,
    state: text,
    postcode: text,
    country: text,
    email: text,
    phone: text,
    number: text,
    neighborhood: text,
    persontype: text,
    cpf: text,
    cnpj: text,
    birthdate: text,
    gender: text,
    sex: text,
    cellphone: text,
  })
  .partial()
  .loose();
export type WooAddress = z.infer<typeof addressSchema>;

export const customerSchema = z
  .object({
    id: id,
    date_created_gmt: gmtDate,
    date_modified_gmt: gmtDate,
    email: text,
    first_name: text,
    last_name: text,
    role: text,
    username: text,
    billing: addressSchema.nullish(),
    shipping: addressSchema.nullish(),
    is_paying_customer: z.boolean().optional(),
    meta_data: metaList,
  })
  .loose();
export type WooCustomer = z.input<typeof customerSchema>;
export type ParsedWooCustomer = z.output<typeof customerSchema>;

export const lineItemSchema = z
  .object({
    id: id,
    name: text,
    product_id: id.nullish(),
    variation_id: id.nullish(),
    quantity: z.number().int(),
    subtotal: decimal,
    total: decimal,
    sku: text,
  })
  .loose();

export const orderSchema = z
  .object({
    id: id,
    parent_id: id.nullish(),
    number: z.union([z.string(), z.number()]).nullish(),
    status: z.string(),
    currency: z.string().regex(/^[A-Za-z]{3}$/, "currency must be an ISO 4217 code"),
    created_via: text,
    date_created_gmt: gmtDate,
    date_modified_gmt: gmtDate,
    date_paid_gmt: gmtDate,
    date_completed_gmt: gmtDate,
    discount_total: decimal.optional(),
    shipping_total: decimal.optional(),
    total_tax: decimal.optional(),
    total: decimal,
    prices_include_tax: z.boolean().optional(),
    customer_id: id.nullish(),
    billing: addressSchema.nullish(),
    shipping: addressSchema.nullish(),
    payment_method: text,
    payment_method_title: text,
    transaction_id: text,
    meta_data: metaList,
    line_items: z.array(lineItemSchema).nullish().transform((v) => v ?? []),
    coupon_lines: z.array(z.object({ code: text }).loose()).nullish().transform((v) => v ?? []),
    refunds: z.array(z.object({ id: id, total: decimal }).loose()).nullish().transform((v) => v ?? []),
    payment_url: text,
  })
  .loose();
export type WooOrder = z.input<typeof orderSchema>;
export type ParsedWooOrder = z.output<typeof orderSchema>;

export const productSchema = z
  .object({
    id: id,
    name: text,
    slug: text,
    type: text,
    status: text,
    sku: text,
    price: decimal.nullish(),
    stock_status: text,
    date_modified_gmt: gmtDate,
    categories: z.array(z.object({ name: text }).loose()).nullish().transform((v) => v ?? []),
    tags: z.array(z.object({ name: text }).loose()).nullish().transform((v) => v ?? []),
    images: z.array(z.object({ src: text }).loose()).nullish().transform((v) => v ?? []),
    attributes: z.array(z.object({ name: text, options: z.array(z.string()).nullish() }).loose()).nullish().transform((v) => v ?? []),
    variations: z.array(z.unknown()).nullish().transform((v) => v ?? []),
    meta_data: metaList,
  })
  .loose();
export type WooProduct = z.input<typeof productSchema>;

export const deletedSchema = z.object({ id: id }).loose();

/** A webhook as WooCommerce stores it (GET/POST /webhooks). */
export interface WooWebhook {
  id: number;
  name: string;
  status: "active" | "paused" | "disabled";
  topic: string;
  resource: string;
  event: string;
  hooks?: string[];
  delivery_url: string;
  secret?: string;
  date_created_gmt?: string;
  date_modified_gmt?: string;
}

/** WordPress/WooCommerce REST error body. */
export interface WooErrorBody {
  code: string;
  message: string;
  data?: { status?: number } | null;
}
