// Which payment method a WooCommerce order used, and where the Brazilian gateways keep the boleto
// and Pix details. Gateway ids come from the plugins' source (see /work notes, "Brazilian payment
// plugins"): PagBank, Pagar.me (Stone), Mercado Pago, the legacy Claudio Sanches plugins, and the
// common card/Pix plugins. Anything unknown falls back to words in `payment_method_title`, so a
// gateway we never heard of that calls itself "Boleto Bancário" is still followed up.
import type { PaymentMethod } from "../../app/core/types";
import type { WooMeta } from "./payloads";

/** Exact gateway ids → method. */
export const GATEWAY_METHODS: Readonly<Record<string, PaymentMethod>> = {
  // PagBank (official): src/core/Gateways/*PaymentGateway.php
  pagbank_boleto: "boleto",
  pagbank_pix: "pix",
  pagbank_credit_card: "card",
  // Pagar.me / Stone (official): 'woo-pagarme-payments-' . $method
  "woo-pagarme-payments-billet": "boleto",
  "woo-pagarme-payments-pix": "pix",
  "woo-pagarme-payments-credit_card": "card",
  "woo-pagarme-payments-voucher": "card",
  // Mercado Pago: "ticket" is boleto (and other cash vouchers); "custom" is the card form.
  "woo-mercado-pago-ticket": "boleto",
  "woo-mercado-pago-pix": "pix",
  "woo-mercado-pago-custom": "card",
  // Legacy Claudio Sanches plugins.
  "pagarme-banking-ticket": "boleto",
  "pagarme-credit-card": "card",
  // Common international card gateways.
  stripe: "card",
  stripe_cc: "card",
  "woocommerce_payments": "card",
  "ppcp-credit-card-gateway": "card",
  // WooCommerce core offline methods.
  bacs: "other",
  cheque: "other",
  cod: "other",
};

function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

const PIX = /(^|[^a-z])pix([^a-z]|$)/;
const BOLETO = /boleto|billet|bank ?slip|banking[ _-]?ticket|linha digitavel/;
const CARD = /cart[aã]o|cartao|credit|debit|card|credito|debito|visa|mastercard/;

function fromText(text: string): PaymentMethod | null {
  const t = fold(text);
  if (!t) return null;
  if (PIX.test(t)) return "pix";
  if (BOLETO.test(t)) return "boleto";
  if (CARD.test(t)) return "card";
  return null;
}

/** The method an order was paid (or is to be paid) with. */
export function paymentMethodOf(gatewayId: string, title: string): PaymentMethod {
  const exact = GATEWAY_METHODS[gatewayId.trim()];
  if (exact) return exact;
  return fromText(gatewayId.replace(/[-_]/g, " ")) ?? fromText(title) ?? "other";
}

export interface GatewayDetails {
  boletoUrl: string | null;
  boletoBarcode: string | null;
  pixCode: string | null;
  dueAt: Date | null;
}

/** Meta keys gateways are known to use; generic matching below catches look-alikes. */
const BOLETO_URL_KEYS = ["_pagbank_boleto_link_pdf", "_transaction_details_ticket", "Banking Ticket URL", "_pagarme_boleto_url", "_boleto_url"];
const BOLETO_LINE_KEYS = ["_pagbank_boleto_barcode", "_pagarme_boleto_line", "_boleto_barcode", "_boleto_digitable_line"];
const DUE_KEYS = ["_pagbank_boleto_expiration_date", "_boleto_due_date", "_pix_expiration_date"];

function str(v: unknown): string | null {
  if (typeof v === "number") return String(v);
  return typeof v === "string" && v.trim() ? v.trim() : null;
}

/** 47 (boleto bancário) or 48 (arrecadação) digits once dots and spaces are gone. */
function asBarcode(v: string | null): string | null {
  if (!v) return null;
  const digits = v.replace(/[\s.-]/g, "");
  return /^\d{47,48}$/.test(digits) ? digits : null;
}

/** A Pix BR Code ("copia e cola") always starts with the EMV header 000201 and names br.gov.bcb.pix. */
function asPixCode(v: string | null): string | null {
  return v && v.startsWith("000201") && /br\.gov\.bcb\.pix/i.test(v) ? v : null;
}

function asDate(v: string | null): Date | null {
  if (!v) return null;
  const br = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v);
  // A bare day means the end of that day in Brasília (a boleto is payable through its due date).
  const iso = br ? `${br[3]}-${br[2]}-${br[1]}` : v;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T23:59:59-03:00` : iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Boleto URL, barcode line, due date and Pix code from an order's meta_data, wherever the gateway put them. */
export function gatewayDetails(meta: readonly WooMeta[]): GatewayDetails {
  const byKey = new Map(meta.map((m) => [m.key, str(m.value)] as const));
  const first = (keys: string[]) => keys.map((k) => byKey.get(k) ?? null).find((v) => v) ?? null;
  let boletoUrl = first(BOLETO_URL_KEYS);
  let boletoBarcode = asBarcode(first(BOLETO_LINE_KEYS));
  let pixCode: string | null = null;
  let dueAt = asDate(first(DUE_KEYS));
  for (const m of meta) {
    const key = fold(m.key);
    const value = str(m.value);
    if (!value) continue;
    pixCode ??= asPixCode(value);
    if (!boletoUrl && /boleto|billet|ticket/.test(key) && /^https?:\/\//.test(value)) boletoUrl = value;
    if (!boletoBarcode && /boleto|billet|barcode|linha|digitable/.test(key)) boletoBarcode = asBarcode(value);
    if (!dueAt && /(due|expir|vencimento)/.test(key) && /boleto|billet|pix|ticket/.test(key)) dueAt = asDate(value);
  }
  return { boletoUrl, boletoBarcode, pixCode, dueAt };
}
