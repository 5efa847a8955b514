// The WooCommerce normaliser: gateway mapping (the table merchants' boletos depend on), Brazilian
// Market fields, guests, money, every order status, draft checkouts, deletions, bad payloads.
import { describe, expect, it } from "vitest";
import { gatewayDetails, paymentMethodOf } from "../../adapters/woocommerce/gateways.ts";
import { normalizeWooCustomer, normalizeWooOrder, normalizeWooProduct, normalizeWooWebhook, wooMoney, WooPayloadError } from "../../adapters/woocommerce/normalize.ts";
import type { NormalizedChange, NormalizedOrder } from "../../app/core/types.ts";

const PIX = "00020101021226830014br.gov.bcb.pix2561api.pagseguro.com/pix/v2/abc5204000053039865406159.905802BR5913EMPORIO JABUT6009SAO PAULO62070503***6304ABCD";
const BOLETO = "29090.12345 60000.123456 78901.234567 8 10000000015990";

function order(over: Record<string, unknown> = {}) {
  return {
    id: 812,
    number: "1812",
    status: "processing",
    currency: "BRL",
    created_via: "checkout",
    date_created_gmt: "2026-03-01T13:00:00",
    date_modified_gmt: "2026-03-01T13:05:00",
    date_paid_gmt: "2026-03-01T13:01:00",
    date_completed_gmt: null,
    discount_total: "10.00",
    shipping_total: "18.90",
    total_tax: "0.00",
    total: "168.70",
    customer_id: 0,
    billing: { first_name: "Ana", last_name: "Souza", email: "Ana.Souza@Gmail.com", phone: "+5511987654321", city: "São Paulo", state: "SP", postcode: "01310-100", country: "BR", address_1: "Avenida Paulista", number: "1000", neighborhood: "Bela Vista", cpf: "123.456.789-09", persontype: "F", birthdate: "15/03/1988", gender: "F" },
    shipping: { first_name: "Ana", last_name: "Souza", city: "São Paulo", state: "SP", postcode: "01310-100", country: "BR", address_1: "Avenida Paulista", number: "1000" },
    payment_method: "pagbank_credit_card",
    payment_method_title: "Cartão de crédito",
    meta_data: [],
    line_items: [
      { id: 1, name: "Café Especial - 500g", product_id: 20, variation_id: 2002, quantity: 2, subtotal: "159.80", total: "149.80", sku: "CAF-011-500G" },
    ],
    coupon_lines: [{ code: "bemvindo10" }],
    refunds: [],
    payment_url: "https://loja.example/checkout/order-pay/812/?pay_for_order=true&key=wc_order_x",
    ...over,
  };
}
const orderOf = (changes: NormalizedChange[]): NormalizedOrder => {
  const c = changes.find((x) => x.kind === "order.upsert");
  if (!c || c.kind !== "order.upsert") throw new Error("no order.upsert");
  return c.order;
};

describe("payment method mapping", () => {
  it.each([
    ["pagbank_boleto", "Boleto", "boleto"],
    ["pagbank_pix", "Pix", "pix"],
    ["pagbank_credit_card", "Cartão", "card"],
    ["woo-pagarme-payments-billet", "Boleto", "boleto"],
    ["woo-pagarme-payments-pix", "Pix", "pix"],
    ["woo-pagarme-payments-credit_card", "Cartão de crédito", "card"],
    ["woo-mercado-pago-ticket", "Boleto e lotérica", "boleto"],
    ["woo-mercado-pago-pix", "Pix", "pix"],
    ["woo-mercado-pago-custom", "Cartão", "card"],
    ["pagarme-banking-ticket", "Boleto bancário", "boleto"],
    ["stripe", "Credit Card (Stripe)", "card"],
    ["wc_piggly_pix_gateway", "Pix", "pix"],
    ["boleto", "Boleto Bancário", "boleto"],
    ["bacs", "Transferência bancária", "other"],
    ["cod", "Pagamento na entrega", "other"],
    // Unknown gateways: the merchant-facing title decides.
    ["meu_gateway_x", "Boleto Bancário Itaú", "boleto"],
    ["meu_gateway_y", "PIX instantâneo", "pix"],
    ["meu_gateway_z", "Cartão de Crédito em até 12x", "card"],
    ["pagseguro", "PagSeguro", "other"],
    ["", "", "other"],
  ])("%s / %s → %s", (id, title, method) => {
    expect(paymentMethodOf(id, title)).toBe(method);
  });

  it("reads boleto URL, barcode line, due date and Pix code from gateway meta", () => {
    const pagbank = gatewayDetails([
      { key: "_pagbank_boleto_link_pdf", value: "https://boleto.pagseguro.com.br/x.pdf" },
      { key: "_pagbank_boleto_barcode", value: BOLETO },
      { key: "_pagbank_boleto_expiration_date", value: "2026-03-04" },
    ]);
    expect(pagbank).toEqual({ boletoUrl: "https://boleto.pagseguro.com.br/x.pdf", boletoBarcode: BOLETO.replace(/[ .]/g, ""), pixCode: null, dueAt: new Date("2026-03-04T23:59:59-03:00") });
    expect(gatewayDetails([{ key: "_transaction_details_ticket", value: "https://www.mercadopago.com.br/payments/1/ticket" }]).boletoUrl).toBe("https://www.mercadopago.com.br/payments/1/ticket");
    // Unknown keys: recognised by their value (a Pix BR Code) or by their name (a boleto link).
    const other = gatewayDetails([
      { key: "_some_pix_plugin_emv", value: PIX },
      { key: "_outro_boleto_link", value: "https://banco.example/boleto/123" },
      { key: "_vencimento_boleto", value: "04/03/2026" },
      { key: "_unrelated", value: "https://example.com" },
    ]);
    expect(other.pixCode).toBe(PIX);
    expect(other.boletoUrl).toBe("https://banco.example/boleto/123");
    expect(other.dueAt).toEqual(new Date("2026-03-04T23:59:59-03:00"));
  });
});

describe("WooCommerce normaliser", () => {
  it("turns money strings into exact minor units", () => {
    expect(wooMoney("168.70", "BRL")).toBe(16870n);
    expect(wooMoney("0.1", "BRL")).toBe(10n);
    expect(wooMoney("-10.00", "BRL")).toBe(-1000n);
    expect(wooMoney("1500", "JPY")).toBe(1500n);
    expect(wooMoney("19.995", "BRL")).toBe(2000n);
    expect(() => wooMoney("12,50", "BRL")).toThrow(WooPayloadError);
  });

  it("makes a guest order's customer guest:<email> with the Brazilian Market fields", () => {
    const o = orderOf(normalizeWooOrder(order()));
    expect(o.customer?.platformId).toBe("guest:ana.souza@gmail.com");
    expect(o.customer).toMatchObject({ email: "ana.souza@gmail.com", taxId: "12345678909", gender: "female", city: "São Paulo", province: "SP", zip: "01310-100" });
    expect(o.customer?.birthDate).toEqual(new Date("1988-03-15T00:00:00Z"));
    expect(o.customer?.addresses[0]).toMatchObject({ line1: "Avenida Paulista, 1000", neighborhood: "Bela Vista" });
    expect(o.customer?.platformUpdatedAt).toEqual(new Date("2026-03-01T13:05:00Z"));
    expect(o).toMatchObject({ platformId: "812", name: "#1812", totalMinor: 16870n, subtotalMinor: 15980n, discountMinor: 1000n, shippingMinor: 1890n, financialStatus: "paid", paymentMethod: "card", channel: "web", tags: ["bemvindo10"] });
    expect(o.lines[0]).toMatchObject({ productId: "20", variantId: "2002", quantity: 2, unitPriceMinor: 7990n, discountMinor: 1000n, totalMinor: 14980n });
    expect(o.placedAt).toEqual(new Date("2026-03-01T13:00:00Z"));
    expect(o.payments).toEqual([]);
  });

  it("links a registered customer's order without letting billing data overwrite the account", () => {
    const o = orderOf(normalizeWooOrder(order({ customer_id: 42 })));
    expect(o.customer?.platformId).toBe("42");
    expect(o.customer?.platformUpdatedAt).toEqual(new Date(0));
  });

  it("leaves an anonymous guest order (no e-mail) without a customer", () => {
    const changes = normalizeWooOrder(order({ billing: { first_name: "", email: "" }, created_via: "pos" }));
    expect(orderOf(changes).customer).toBeNull();
    expect(orderOf(changes).channel).toBe("pos");
    expect(changes.some((c) => c.kind === "checkout.upsert")).toBe(false);
  });

  it("maps every order status", () => {
    const status = (s: string, over: Record<string, unknown> = {}) => orderOf(normalizeWooOrder(order({ status: s, ...over })));
    expect(status("pending", { date_paid_gmt: null }).financialStatus).toBe("pending");
    expect(status("on-hold", { date_paid_gmt: null }).financialStatus).toBe("pending");
    expect(status("processing").financialStatus).toBe("paid");
    expect(status("completed", { date_completed_gmt: "2026-03-05T10:00:00" })).toMatchObject({ financialStatus: "paid", fulfillmentStatus: "fulfilled", closedAt: new Date("2026-03-05T10:00:00Z") });
    expect(status("cancelled", { date_paid_gmt: null })).toMatchObject({ financialStatus: "voided", cancelledAt: new Date("2026-03-01T13:05:00Z") });
    expect(status("failed", { date_paid_gmt: null }).financialStatus).toBe("voided");
    expect(status("refunded", { refunds: [{ id: 9, total: "-168.70" }] })).toMatchObject({ financialStatus: "refunded", refundedMinor: 16870n });
    expect(status("completed", { refunds: [{ id: 9, total: "-20.00" }] })).toMatchObject({ financialStatus: "partially_refunded", refundedMinor: 2000n });
    expect(status("wc-shipped").financialStatus).toBe("paid");
    expect(normalizeWooOrder(order({ status: "trash" }))).toEqual([{ kind: "order.delete", platformId: "812" }]);
  });

  it("follows unpaid boletos and Pix: on-hold/pending are pending payments with their details", () => {
    const boleto = orderOf(
      normalizeWooOrder(
        order({
          status: "on-hold",
          date_paid_gmt: null,
          payment_method: "pagbank_boleto",
          payment_method_title: "Boleto (PagBank)",
          meta_data: [
            { id: 1, key: "_pagbank_boleto_link_pdf", value: "https://boleto.pagseguro.com.br/x.pdf" },
            { id: 2, key: "_pagbank_boleto_barcode", value: BOLETO },
            { id: 3, key: "_pagbank_boleto_expiration_date", value: "2026-03-04" },
          ],
        }),
      ),
    );
    expect(boleto.financialStatus).toBe("pending");
    expect(boleto.payments).toEqual([
      expect.objectContaining({ platformId: "order:812:boleto", method: "boleto", status: "pending", gateway: "pagbank_boleto", amountMinor: 16870n, boletoUrl: "https://boleto.pagseguro.com.br/x.pdf", boletoBarcode: BOLETO.replace(/[ .]/g, ""), dueAt: new Date("2026-03-04T23:59:59-03:00"), paidAt: null }),
    ]);
    const pix = orderOf(normalizeWooOrder(order({ status: "pending", date_paid_gmt: null, payment_method: "woo-mercado-pago-pix", meta_data: [{ key: "mp_pix_qr_code", value: PIX }] })));
    expect(pix.payments[0]).toMatchObject({ method: "pix", status: "pending", pixCode: PIX, boletoUrl: null });
    const paid = orderOf(normalizeWooOrder(order({ status: "processing", payment_method: "woo-mercado-pago-pix" })));
    expect(paid.payments[0]).toMatchObject({ status: "paid", paidAt: new Date("2026-03-01T13:01:00Z") });
    const expired = orderOf(normalizeWooOrder(order({ status: "cancelled", date_paid_gmt: null, payment_method: "woo-pagarme-payments-billet" })));
    expect(expired.payments[0]).toMatchObject({ method: "boleto", status: "cancelled" });
  });

  it("turns checkout drafts and unpaid pending orders into open checkouts, closed once the order moves on", () => {
    const draft = normalizeWooOrder(order({ status: "checkout-draft", created_via: "store-api", date_paid_gmt: null, payment_method: "" }));
    expect(draft).toHaveLength(1);
    expect(draft[0]).toMatchObject({ kind: "checkout.upsert", checkout: { platformId: "order:812", email: "ana.souza@gmail.com", completedAt: null, totalMinor: 16870n, recoveryUrl: expect.stringContaining("order-pay/812") } });
    expect(normalizeWooOrder(order({ status: "checkout-draft", billing: { email: "" } }))).toEqual([{ kind: "ignored", reason: "checkout draft 812 without an e-mail" }]);
    const pending = normalizeWooOrder(order({ status: "pending", date_paid_gmt: null }));
    expect(pending.map((c) => c.kind)).toEqual(["order.upsert", "checkout.upsert"]);
    expect(pending[1]).toMatchObject({ checkout: { completedAt: null } });
    // WooCommerce cancels unpaid orders after the hold-stock time: still an abandoned checkout.
    expect(normalizeWooOrder(order({ status: "cancelled", date_paid_gmt: null }))[1]).toMatchObject({ checkout: { completedAt: null } });
    expect(normalizeWooOrder(order({ status: "failed", date_paid_gmt: null }))[1]).toMatchObject({ checkout: { completedAt: null } });
    const placed = normalizeWooOrder(order());
    expect(placed[1]).toMatchObject({ kind: "checkout.upsert", checkout: { platformId: "order:812", completedAt: new Date("2026-03-01T13:00:00Z"), completedOrderId: "812" } });
    // A boleto awaiting payment is a placed order to follow up, not an abandoned checkout.
    const boleto = normalizeWooOrder(order({ status: "pending", date_paid_gmt: null, payment_method: "woo-mercado-pago-ticket" }));
    expect(boleto[1]).toMatchObject({ checkout: { completedAt: new Date("2026-03-01T13:00:00Z") } });
  });

  it("reads registered customers with Brazilian Market fields from billing or user meta", () => {
    const c = normalizeWooCustomer({
      id: 42,
      date_created_gmt: "2025-01-01T10:00:00",
      date_modified_gmt: "2026-02-01T10:00:00",
      email: "Joao@Empresa.com.br",
      first_name: "João",
      last_name: "Lima",
      role: "customer",
      billing: { persontype: "J", cnpj: "12.345.678/0001-95", cpf: "", city: "Recife", state: "PE", postcode: "50000-000", address_1: "Rua da Aurora", country: "BR" },
      shipping: {},
      meta_data: [{ id: 1, key: "billing_birthdate", value: "1979-12-31" }, { id: 2, key: "billing_sex", value: "Masculino" }],
    });
    expect(c).toMatchObject({ platformId: "42", email: "joao@empresa.com.br", firstName: "João", taxId: "12345678000195", gender: "male", city: "Recife", platformUpdatedAt: new Date("2026-02-01T10:00:00Z") });
    expect(c.birthDate).toEqual(new Date("1979-12-31T00:00:00Z"));
    expect(normalizeWooCustomer({ id: 7, billing: { birthdate: "31/02/1990" } }).birthDate).toBeNull();
  });

  it("normalises products (simple and variable)", () => {
    const simple = normalizeWooProduct({ id: 10, name: "Sérum", slug: "serum", type: "simple", status: "publish", sku: "COS-1", price: "89.90", stock_status: "instock", date_modified_gmt: "2026-01-01T00:00:00", categories: [{ name: "Cosméticos" }], tags: [{ name: "vegano" }], images: [{ src: "https://x/s.jpg" }] }, { storeCurrency: "BRL" });
    expect(simple).toMatchObject({ platformId: "10", title: "Sérum", category: "Cosméticos", tags: ["vegano"], status: "active", priceMinor: 8990n, inStock: true, imageUrl: "https://x/s.jpg" });
    expect(simple.variants).toEqual([{ id: "10", title: "Sérum", sku: "COS-1", priceMinor: "8990", available: true }]);
    const variable = normalizeWooProduct({ id: 20, name: "Café", type: "variable", status: "draft", price: "44.90", stock_status: "outofstock", variations: [2001, 2002] }, { storeCurrency: "BRL" });
    expect(variable).toMatchObject({ status: "draft", inStock: false, variants: [] });
  });

  it("dispatches webhook topics, deletions send only the id, unknown topics are ignored", () => {
    expect(normalizeWooWebhook("customer.deleted", { id: 42 }, { storeCurrency: "BRL" })).toEqual([{ kind: "customer.delete", platformId: "42" }]);
    expect(normalizeWooWebhook("order.deleted", { id: 812 }, { storeCurrency: "BRL" })).toEqual([{ kind: "order.delete", platformId: "812" }]);
    expect(normalizeWooWebhook("product.deleted", { id: 10 }, { storeCurrency: "BRL" })).toEqual([{ kind: "product.delete", platformId: "10" }]);
    expect(normalizeWooWebhook("order.updated", order(), { storeCurrency: "BRL" })[0]!.kind).toBe("order.upsert");
    expect(normalizeWooWebhook("coupon.created", { id: 5 }, { storeCurrency: "BRL" })).toEqual([{ kind: "ignored", reason: "topic coupon.created is not used" }]);
    expect(normalizeWooWebhook("action.woocommerce_x", {}, { storeCurrency: "BRL" })[0]!.kind).toBe("ignored");
  });

  it("refuses malformed payloads with a message naming the field", () => {
    expect(() => normalizeWooOrder({ id: 1, status: "processing", currency: "R$", total: "1.00" })).toThrow(/currency/);
    expect(() => normalizeWooOrder(order({ total: "12,50" }))).toThrow(WooPayloadError);
    expect(() => normalizeWooOrder(order({ date_created_gmt: "yesterday" }))).toThrow(/date_created_gmt: not a timestamp/);
    expect(() => normalizeWooWebhook("customer.updated", "nope", { storeCurrency: "BRL" })).toThrow(WooPayloadError);
    expect(() => normalizeWooWebhook("customer.deleted", {}, { storeCurrency: "BRL" })).toThrow(/id/);
  });
});
