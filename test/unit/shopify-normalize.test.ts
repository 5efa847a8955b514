import { describe, expect, it } from "vitest";
import type { NormalizedChange, NormalizedOrder } from "../../app/core/types";
import {
  ShopifyPayloadError,
  canonicalTopic,
  currencyDecimals,
  detectPaymentMethod,
  mapChannel,
  mapFinancialStatus,
  normalizeShopifyWebhook,
  parseUtm,
  toMinor,
} from "../../adapters/shopify/normalize";

const BRL = { shopCurrency: "BRL" };

const money = (amount: string, currency = "BRL") => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: { amount, currency_code: currency },
});

function embeddedCustomer(overrides: Record<string, unknown> = {}) {
  return {
    id: 7104000227107,
    email: "Maria.Souza@Gmail.com",
    created_at: "2025-03-01T10:00:00-03:00",
    updated_at: "2025-03-10T14:22:33-03:00",
    first_name: "Maria",
    last_name: "Souza",
    state: "disabled",
    note: null,
    verified_email: true,
    multipass_identifier: null,
    tax_exempt: false,
    phone: "+5511987654321",
    email_marketing_consent: {
      state: "subscribed",
      opt_in_level: "single_opt_in",
      consent_updated_at: "2025-03-01T10:00:00-03:00",
    },
    sms_marketing_consent: {
      state: "not_subscribed",
      opt_in_level: "single_opt_in",
      consent_updated_at: null,
      consent_collected_from: "SHOPIFY",
    },
    tags: "",
    currency: "BRL",
    tax_exemptions: [],
    admin_graphql_api_id: "gid://shopify/Customer/7104000227107",
    default_address: {
      id: 9150000231207,
      customer_id: 7104000227107,
      first_name: "Maria",
      last_name: "Souza",
      company: null,
      address1: "Rua Augusta, 1200",
      address2: "Apto 52",
      city: "São Paulo",
      province: "São Paulo",
      country: "Brazil",
      zip: "01304-001",
      phone: "+5511987654321",
      name: "Maria Souza",
      province_code: "SP",
      country_code: "BR",
      country_name: "Brazil",
      default: true,
    },
    ...overrides,
  };
}

/** A web order as Shopify sends it: R$ 89,90 + R$ 59,90, BEMVINDO10, PAC R$ 18,90. */
function webOrder(overrides: Record<string, unknown> = {}) {
  return {
    id: 5930000201522,
    admin_graphql_api_id: "gid://shopify/Order/5930000201522",
    app_id: 580111,
    name: "#1004",
    order_number: 1004,
    number: 4,
    token: "2af3a136bc42ce3cd116e3bac2fa9fda",
    checkout_token: "5b3e702e5d9fa637da3e34b6ef3ce382",
    email: "Maria.Souza@Gmail.com",
    contact_email: "Maria.Souza@Gmail.com",
    currency: "BRL",
    presentment_currency: "BRL",
    customer_locale: "pt-BR",
    created_at: "2025-03-10T14:22:31-03:00",
    processed_at: "2025-03-10T14:22:31-03:00",
    updated_at: "2025-03-10T14:22:33-03:00",
    cancelled_at: null,
    cancel_reason: null,
    closed_at: null,
    financial_status: "paid",
    fulfillment_status: null,
    source_name: "web",
    landing_site: "/",
    referring_site: null,
    test: false,
    tags: "",
    note: null,
    note_attributes: [],
    payment_gateway_names: ["shopify_payments"],
    total_line_items_price: "149.80",
    total_line_items_price_set: money("149.80"),
    total_discounts: "14.97",
    total_discounts_set: money("14.97"),
    subtotal_price: "134.83",
    subtotal_price_set: money("134.83"),
    total_shipping_price_set: money("18.90"),
    total_tax: "0.00",
    total_tax_set: money("0.00"),
    total_price: "153.73",
    total_price_set: money("153.73"),
    current_total_price: "153.73",
    current_total_price_set: money("153.73"),
    taxes_included: false,
    discount_codes: [{ code: "BEMVINDO10", amount: "14.97", type: "percentage" }],
    customer: embeddedCustomer(),
    billing_address: null,
    shipping_address: null,
    line_items: [
      {
        id: 14560000328952,
        product_id: 8712001152126,
        variant_id: 46120001663414,
        sku: "COS-001",
        title: "Sérum Facial Vitamina C 30ml",
        variant_title: null,
        quantity: 1,
        price: "89.90",
        price_set: money("89.90"),
        total_discount: "0.00",
        total_discount_set: money("0.00"),
        discount_allocations: [{ amount: "8.99", amount_set: money("8.99"), discount_application_index: 0 }],
      },
      {
        id: 14560000328953,
        product_id: 8712001152999,
        variant_id: 46120001663999,
        sku: "COS-006",
        title: "Óleo Corporal Castanha-do-Pará 120ml",
        variant_title: null,
        quantity: 1,
        price: "59.90",
        price_set: money("59.90"),
        total_discount: "0.00",
        total_discount_set: money("0.00"),
        discount_allocations: [{ amount: "5.98", amount_set: money("5.98"), discount_application_index: 0 }],
      },
    ],
    shipping_lines: [{ id: 4910000197180, code: "PAC", title: "PAC - Correios", price: "18.90", price_set: money("18.90") }],
    refunds: [],
    ...overrides,
  };
}

const BOLETO_LINE = "23793.38128 60000.000003 00000.000400 1 84340000015373";

function boletoOrder(overrides: Record<string, unknown> = {}) {
  return webOrder({
    financial_status: "pending",
    payment_gateway_names: ["Mercado Pago"],
    note_attributes: [
      { name: "boleto_url", value: "https://www.mercadopago.com.br/payments/12345678901/ticket?caller_id=1" },
      { name: "linha_digitavel", value: BOLETO_LINE },
      { name: "vencimento", value: "13/03/2025" },
    ],
    ...overrides,
  });
}

function orderOf(change: NormalizedChange): NormalizedOrder {
  if (change.kind !== "order.upsert") throw new Error(`expected order.upsert, got ${change.kind}`);
  return change.order;
}

function expectPayloadError(run: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ShopifyPayloadError);
  expect((caught as Error).message).toMatch(message);
}

describe("toMinor", () => {
  it("converts decimal strings exactly", () => {
    expect(toMinor("1999.99", "BRL")).toBe(199999n);
    expect(toMinor("49.9", "BRL")).toBe(4990n);
    expect(toMinor("0.00", "BRL")).toBe(0n);
    expect(toMinor(".5", "BRL")).toBe(50n);
    expect(toMinor("-5.00", "BRL")).toBe(-500n);
    expect(toMinor(" 12.34 ", "brl")).toBe(1234n);
    expect(toMinor("12345678901234.56", "BRL")).toBe(1234567890123456n);
  });

  it("has none of the binary floating point errors", () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(toMinor("0.1", "BRL") + toMinor("0.2", "BRL")).toBe(toMinor("0.3", "BRL"));
    expect(toMinor("0.1", "BRL") + toMinor("0.2", "BRL")).toBe(30n);
    // 19.99 * 100 is 1998.9999999999998 in floating point.
    expect(Math.trunc(19.99 * 100)).toBe(1998);
    expect(toMinor(19.99, "BRL")).toBe(1999n);
    expect(toMinor("1.15", "BRL")).toBe(115n);
  });

  it("respects currencies with 0 and 3 decimals", () => {
    expect(currencyDecimals("JPY")).toBe(0);
    expect(currencyDecimals("KWD")).toBe(3);
    expect(currencyDecimals("BRL")).toBe(2);
    expect(toMinor("1500", "JPY")).toBe(1500n);
    expect(toMinor("1500.0", "JPY")).toBe(1500n);
    expect(toMinor("1.250", "KWD")).toBe(1250n);
    expect(toMinor("12.5", "KWD")).toBe(12500n);
  });

  it("rounds digits beyond the currency's precision half away from zero", () => {
    expect(toMinor("0.015", "BRL")).toBe(2n);
    expect(toMinor("0.014", "BRL")).toBe(1n);
    expect(toMinor("-0.015", "BRL")).toBe(-2n);
    expect(toMinor("1499.5", "JPY")).toBe(1500n);
  });

  it("rejects anything that is not a plain decimal", () => {
    for (const bad of ["", "abc", "1,50", "1.000,50", "1e3", "R$ 10", "--1", "1.2.3"]) {
      expectPayloadError(() => toMinor(bad, "BRL"), /not a decimal amount/);
    }
    expectPayloadError(() => toMinor(Number.NaN, "BRL"), /not a decimal amount/);
    expectPayloadError(() => toMinor("10.00", "R$"), /ISO 4217/);
  });
});

describe("detectPaymentMethod", () => {
  it.each([
    [["shopify_payments"], "card"],
    [["Pix"], "pix"],
    [["PIX"], "pix"],
    [["Pagar.me - Pix"], "pix"],
    [["Boleto"], "boleto"],
    [["Boleto Bancário"], "boleto"],
    [["bank_slip"], "boleto"],
    [["woo-mercado-pago-ticket"], "boleto"],
    [["Mercado Pago"], "card"],
    [["Pagar.me"], "card"],
    [["PagBank/PagSeguro"], "card"],
    [["Appmax"], "card"],
    [["Yampi"], "card"],
    [["bogus"], "card"],
    [["manual"], "other"],
    [["Cash on Delivery (COD)"], "other"],
    [["gift_card"], "other"],
    [["gift_card", "shopify_payments"], "card"],
    [["Depósito bancário"], "other"],
    [[], "other"],
  ] as const)("%j → %s", (gateways, expected) => {
    expect(detectPaymentMethod(gateways)).toBe(expected);
  });

  it("trusts boleto and Pix data in note attributes over a multi-method gateway name", () => {
    expect(detectPaymentMethod(["Mercado Pago"], [], [{ name: "pix_copia_e_cola", value: "000201..." }])).toBe("pix");
    expect(detectPaymentMethod(["Pagar.me"], [], [{ name: "linha_digitavel", value: "2379..." }])).toBe("boleto");
    expect(detectPaymentMethod(["Yampi"], [], [{ name: "forma_pagamento", value: "Boleto" }])).toBe("boleto");
    // An empty value is no evidence.
    expect(detectPaymentMethod(["Mercado Pago"], [], [{ name: "pix_code", value: "" }])).toBe("card");
  });

  it("reads transactions when gateway names say nothing", () => {
    expect(detectPaymentMethod([], [{ gateway: "pix", kind: "sale", status: "success" }])).toBe("pix");
    expect(
      detectPaymentMethod(["unknown-app"], [{ gateway: "unknown-app", payment_details: { credit_card_company: "Visa" } }]),
    ).toBe("card");
  });
});

describe("mapFinancialStatus / mapChannel / parseUtm / canonicalTopic", () => {
  it("maps Shopify financial statuses", () => {
    expect(mapFinancialStatus("pending")).toBe("pending");
    expect(mapFinancialStatus("PAID")).toBe("paid");
    expect(mapFinancialStatus("partially_refunded")).toBe("partially_refunded");
    expect(mapFinancialStatus("expired")).toBe("voided");
    expect(mapFinancialStatus("something_new")).toBe("unknown");
    expect(mapFinancialStatus(null)).toBe("unknown");
  });

  it("maps source_name to a sales channel", () => {
    expect(mapChannel("web")).toBe("web");
    expect(mapChannel("pos")).toBe("pos");
    expect(mapChannel("shopify_draft_order")).toBe("draft");
    expect(mapChannel("mercado_livre")).toBe("marketplace");
    expect(mapChannel("Mercado Livre")).toBe("marketplace");
    expect(mapChannel("amazon")).toBe("marketplace");
    expect(mapChannel("shopee")).toBe("marketplace");
    expect(mapChannel("1234567")).toBe("other");
    expect(mapChannel("1234567", ["1234567"])).toBe("marketplace");
    expect(mapChannel("iphone")).toBe("other");
    expect(mapChannel(null)).toBe("other");
  });

  it("parses UTM parameters from landing_site", () => {
    expect(parseUtm("/products/serum?utm_source=instagram&utm_medium=social&utm_campaign=black-friday-2025")).toEqual({
      utmSource: "instagram",
      utmMedium: "social",
      utmCampaign: "black-friday-2025",
    });
    expect(parseUtm("https://loja.com.br/?utm_source=google&amp;utm_medium=cpc&amp;utm_campaign=pmax%20catalogo")).toEqual({
      utmSource: "google",
      utmMedium: "cpc",
      utmCampaign: "pmax catalogo",
    });
    expect(parseUtm("/collections/cafe")).toEqual({ utmSource: null, utmMedium: null, utmCampaign: null });
    expect(parseUtm(null)).toEqual({ utmSource: null, utmMedium: null, utmCampaign: null });
  });

  it("accepts header and enum spellings of topics", () => {
    expect(canonicalTopic("orders/create")).toBe("orders/create");
    expect(canonicalTopic("ORDERS_CREATE")).toBe("orders/create");
    expect(canonicalTopic("CUSTOMERS_DATA_REQUEST")).toBe("customers/data_request");
    expect(canonicalTopic("APP_UNINSTALLED")).toBe("app/uninstalled");
  });
});

describe("normalizeShopifyWebhook: orders", () => {
  it("normalizes a card order with a code discount and shipping", () => {
    const order = orderOf(normalizeShopifyWebhook("orders/create", webOrder(), BRL));
    expect(order.platformId).toBe("5930000201522");
    expect(order.name).toBe("#1004");
    expect(order.email).toBe("maria.souza@gmail.com");
    expect(order.currency).toBe("BRL");
    expect(order.subtotalMinor).toBe(14980n);
    expect(order.discountMinor).toBe(1497n);
    expect(order.shippingMinor).toBe(1890n);
    expect(order.taxMinor).toBe(0n);
    expect(order.totalMinor).toBe(15373n);
    expect(order.totalMinor).toBe(order.subtotalMinor - order.discountMinor + order.shippingMinor + order.taxMinor);
    expect(order.refundedMinor).toBe(0n);
    expect(order.financialStatus).toBe("paid");
    expect(order.channel).toBe("web");
    expect(order.paymentMethod).toBe("card");
    expect(order.gateways).toEqual(["shopify_payments"]);
    expect(order.payments).toEqual([]);
    expect(order.placedAt.toISOString()).toBe("2025-03-10T17:22:31.000Z");
    expect(order.platformUpdatedAt?.toISOString()).toBe("2025-03-10T17:22:33.000Z");
    expect(order.lines).toHaveLength(2);
    expect(order.lines[0]).toEqual({
      platformId: "14560000328952",
      productId: "8712001152126",
      variantId: "46120001663414",
      sku: "COS-001",
      title: "Sérum Facial Vitamina C 30ml",
      category: null,
      quantity: 1,
      unitPriceMinor: 8990n,
      discountMinor: 899n,
      totalMinor: 8091n,
    });
    const linesNet = order.lines.reduce((sum, line) => sum + line.totalMinor, 0n);
    expect(linesNet).toBe(order.subtotalMinor - order.discountMinor);
  });

  it("creates the embedded customer so an unknown customer can be inserted", () => {
    const { customer } = orderOf(normalizeShopifyWebhook("orders/create", webOrder(), BRL));
    expect(customer).toMatchObject({
      platformId: "7104000227107",
      email: "maria.souza@gmail.com",
      phone: "+5511987654321",
      firstName: "Maria",
      lastName: "Souza",
      city: "São Paulo",
      province: "SP",
      country: "BR",
      zip: "01304-001",
      locale: "pt-BR",
      acceptsEmailMarketing: true,
      acceptsSmsMarketing: false,
      tags: [],
    });
    expect(customer?.addresses).toHaveLength(1);
    expect(customer?.addresses[0]).toMatchObject({ line1: "Rua Augusta, 1200", line2: "Apto 52", province: "SP" });
    expect(customer?.consentUpdatedAt?.toISOString()).toBe("2025-03-01T13:00:00.000Z");
  });

  it("prefers shop_money amounts and falls back to the plain fields", () => {
    const multiCurrency = webOrder({
      presentment_currency: "USD",
      total_price: "153.73",
      total_price_set: { shop_money: { amount: "153.73", currency_code: "BRL" }, presentment_money: { amount: "27.95", currency_code: "USD" } },
    });
    expect(orderOf(normalizeShopifyWebhook("orders/create", multiCurrency, BRL)).totalMinor).toBe(15373n);

    const mismatch = webOrder({ total_price: "999.99" }); // the *_set wins
    expect(orderOf(normalizeShopifyWebhook("orders/create", mismatch, BRL)).totalMinor).toBe(15373n);

    const plainOnly = webOrder({ total_price_set: undefined, total_discounts_set: undefined, total_line_items_price_set: undefined });
    const order = orderOf(normalizeShopifyWebhook("orders/create", plainOnly, BRL));
    expect(order.totalMinor).toBe(15373n);
    expect(order.discountMinor).toBe(1497n);
    expect(order.subtotalMinor).toBe(14980n);

    const noCurrency = webOrder({ currency: undefined, total_price_set: undefined });
    expect(orderOf(normalizeShopifyWebhook("orders/create", noCurrency, { shopCurrency: "brl" })).currency).toBe("BRL");
  });

  it("handles a pending boleto with its barcode, URL and due date", () => {
    const order = orderOf(normalizeShopifyWebhook("orders/create", boletoOrder(), BRL));
    expect(order.financialStatus).toBe("pending");
    expect(order.paymentMethod).toBe("boleto");
    expect(order.payments).toHaveLength(1);
    const [payment] = order.payments;
    expect(payment).toMatchObject({
      platformId: "5930000201522:boleto",
      method: "boleto",
      gateway: "Mercado Pago",
      status: "pending",
      amountMinor: 15373n,
      currency: "BRL",
      boletoUrl: "https://www.mercadopago.com.br/payments/12345678901/ticket?caller_id=1",
      pixCode: null,
      paidAt: null,
    });
    expect(payment?.boletoBarcode).toBe(BOLETO_LINE.replace(/\D/g, ""));
    expect(payment?.boletoBarcode).toHaveLength(47);
    // Payable through the due day, Brasília time.
    expect(payment?.dueAt?.toISOString()).toBe("2025-03-14T02:59:59.000Z");
    expect(payment?.createdAt.toISOString()).toBe("2025-03-10T17:22:31.000Z");
  });

  it("marks a boleto expired when still pending after its due date, and paid on orders/paid", () => {
    const late = orderOf(normalizeShopifyWebhook("orders/updated", boletoOrder({ updated_at: "2025-03-15T09:00:00-03:00" }), BRL));
    expect(late.payments[0]?.status).toBe("expired");

    const paid = orderOf(
      normalizeShopifyWebhook("orders/paid", boletoOrder({ financial_status: "paid", updated_at: "2025-03-12T10:15:00-03:00" }), BRL),
    );
    expect(paid.financialStatus).toBe("paid");
    expect(paid.payments[0]?.status).toBe("paid");
    expect(paid.payments[0]?.paidAt?.toISOString()).toBe("2025-03-12T13:15:00.000Z");

    // A later orders/updated does not invent a payment date.
    const fulfilled = orderOf(
      normalizeShopifyWebhook(
        "orders/updated",
        boletoOrder({ financial_status: "paid", fulfillment_status: "fulfilled", updated_at: "2025-03-20T10:00:00-03:00" }),
        BRL,
      ),
    );
    expect(fulfilled.payments[0]?.status).toBe("paid");
    expect(fulfilled.payments[0]?.paidAt).toBeNull();

    const cancelled = orderOf(
      normalizeShopifyWebhook("orders/cancelled", boletoOrder({ financial_status: "voided", cancelled_at: "2025-03-20T10:00:00-03:00" }), BRL),
    );
    expect(cancelled.cancelledAt?.toISOString()).toBe("2025-03-20T13:00:00.000Z");
    expect(cancelled.payments[0]?.status).toBe("cancelled");
  });

  it("recognises a boleto from the gateway name alone", () => {
    const order = orderOf(
      normalizeShopifyWebhook("orders/create", webOrder({ financial_status: "pending", payment_gateway_names: ["Boleto Bancário"] }), BRL),
    );
    expect(order.paymentMethod).toBe("boleto");
    expect(order.payments[0]).toMatchObject({ method: "boleto", status: "pending", boletoBarcode: null, dueAt: null });
  });

  it("handles a Pix order paid at checkout", () => {
    const pixCode =
      "00020101021226810014br.gov.bcb.pix2559api.pagar.me/pix/qr/v2/aa8b0f31-fdc1-4c9b-8f38-c6019425302e5204000053039865406153.735802BR5918EMPORIO JABUTICABA6009SAO PAULO62070503***6304D8F4";
    const order = orderOf(
      normalizeShopifyWebhook(
        "orders/create",
        webOrder({
          payment_gateway_names: ["Pix"],
          note_attributes: [
            { name: "pix_copia_e_cola", value: pixCode },
            { name: "pix_expires_at", value: "2025-03-10T14:52:31-03:00" },
          ],
        }),
        BRL,
      ),
    );
    expect(order.paymentMethod).toBe("pix");
    expect(order.payments).toEqual([
      {
        platformId: "5930000201522:pix",
        method: "pix",
        gateway: "Pix",
        status: "paid",
        amountMinor: 15373n,
        currency: "BRL",
        boletoUrl: null,
        boletoBarcode: null,
        pixCode,
        dueAt: new Date("2025-03-10T17:52:31.000Z"),
        paidAt: new Date("2025-03-10T17:22:31.000Z"),
        createdAt: new Date("2025-03-10T17:22:31.000Z"),
      },
    ]);
  });

  it("sums only successful refund transactions", () => {
    const refunded = webOrder({
      financial_status: "partially_refunded",
      updated_at: "2025-03-20T11:00:00-03:00",
      refunds: [
        {
          id: 952000001000,
          order_id: 5930000201522,
          created_at: "2025-03-20T11:00:00-03:00",
          refund_line_items: [{ id: 1, line_item_id: 14560000328953, quantity: 1, subtotal: 53.92, subtotal_set: money("53.92") }],
          transactions: [
            { id: 7480000001000, kind: "refund", status: "failure", amount: "53.92", currency: "BRL", gateway: "shopify_payments" },
            { id: 7480000002000, kind: "refund", status: "success", amount: "53.92", currency: "BRL", gateway: "shopify_payments" },
          ],
        },
        {
          id: 952000003000,
          transactions: [
            { id: 7480000003000, kind: "refund", status: "pending", amount: "10.00", currency: "BRL" },
            { id: 7480000004000, kind: "refund", status: "success", amount: "5.00", currency: "BRL" },
            { id: 7480000005000, kind: "sale", status: "success", amount: "99.00", currency: "BRL" },
          ],
        },
      ],
    });
    const order = orderOf(normalizeShopifyWebhook("orders/updated", refunded, BRL));
    expect(order.refundedMinor).toBe(5892n);
    expect(order.financialStatus).toBe("partially_refunded");
    expect(order.totalMinor).toBe(15373n); // as placed; refunds are tracked apart
  });

  it("normalizes a POS sale without a customer", () => {
    const order = orderOf(
      normalizeShopifyWebhook(
        "orders/create",
        webOrder({ source_name: "pos", payment_gateway_names: ["cash"], customer: null, email: "", contact_email: null, fulfillment_status: "fulfilled", location_id: 71234567890 }),
        BRL,
      ),
    );
    expect(order.channel).toBe("pos");
    expect(order.paymentMethod).toBe("other");
    expect(order.customer).toBeNull();
    expect(order.email).toBeNull();
    expect(order.fulfillmentStatus).toBe("fulfilled");
  });

  it("normalizes a draft order marked as paid manually", () => {
    const order = orderOf(
      normalizeShopifyWebhook("orders/create", webOrder({ source_name: "shopify_draft_order", app_id: 1354745, payment_gateway_names: ["manual"] }), BRL),
    );
    expect(order.channel).toBe("draft");
    expect(order.paymentMethod).toBe("other");
    expect(order.payments).toEqual([]);
  });

  it("reads UTM parameters from landing_site", () => {
    const order = orderOf(
      normalizeShopifyWebhook(
        "orders/create",
        webOrder({
          landing_site: "/products/serum-facial?utm_source=instagram&utm_medium=social&utm_campaign=colecao-verao&fbclid=abc",
          referring_site: "https://l.instagram.com/",
        }),
        BRL,
      ),
    );
    expect(order.landingSite).toBe("/products/serum-facial?utm_source=instagram&utm_medium=social&utm_campaign=colecao-verao&fbclid=abc");
    expect(order.referringSite).toBe("https://l.instagram.com/");
    expect([order.utmSource, order.utmMedium, order.utmCampaign]).toEqual(["instagram", "social", "colecao-verao"]);
  });

  it("accepts the upper-case topic spelling", () => {
    expect(normalizeShopifyWebhook("ORDERS_PAID", webOrder(), BRL).kind).toBe("order.upsert");
  });
});

describe("normalizeShopifyWebhook: customers, checkouts, products, other topics", () => {
  it("normalizes customers/create with all addresses and consent", () => {
    const change = normalizeShopifyWebhook(
      "customers/create",
      embeddedCustomer({
        tags: "vip, atacado ,",
        sms_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: "2025-03-05T09:00:00-03:00" },
        addresses: [
          embeddedCustomer().default_address,
          { id: 9150000231299, address1: "Av. Paulista, 1000", city: "São Paulo", province_code: "SP", country_code: "BR", zip: "01310-100", default: false },
        ],
      }),
      BRL,
    );
    if (change.kind !== "customer.upsert") throw new Error(change.kind);
    const { customer } = change;
    expect(customer.tags).toEqual(["vip", "atacado"]);
    expect(customer.acceptsSmsMarketing).toBe(true);
    expect(customer.consentUpdatedAt?.toISOString()).toBe("2025-03-05T12:00:00.000Z");
    expect(customer.addresses.map((address) => address.line1)).toEqual(["Rua Augusta, 1200", "Av. Paulista, 1000"]);
    expect(customer.platformCreatedAt?.toISOString()).toBe("2025-03-01T13:00:00.000Z");
  });

  it("treats an unsubscribed customer as not accepting marketing", () => {
    const change = normalizeShopifyWebhook(
      "customers/update",
      embeddedCustomer({ email_marketing_consent: { state: "unsubscribed", opt_in_level: "single_opt_in", consent_updated_at: "2025-05-01T10:00:00-03:00" } }),
      BRL,
    );
    if (change.kind !== "customer.upsert") throw new Error(change.kind);
    expect(change.customer.acceptsEmailMarketing).toBe(false);
  });

  it("maps deletes to platform ids", () => {
    expect(normalizeShopifyWebhook("customers/delete", { id: 7104000227107 }, BRL)).toEqual({ kind: "customer.delete", platformId: "7104000227107" });
    expect(normalizeShopifyWebhook("orders/delete", { id: 5930000201522 }, BRL)).toEqual({ kind: "order.delete", platformId: "5930000201522" });
    expect(normalizeShopifyWebhook("products/delete", { id: "gid://shopify/Product/8712001152126" }, BRL)).toEqual({
      kind: "product.delete",
      platformId: "8712001152126",
    });
  });

  it("normalizes an abandoned checkout keyed by its token", () => {
    const change = normalizeShopifyWebhook(
      "checkouts/update",
      {
        id: 36900000012345,
        token: "0123456789abcdef0456456789abcdef",
        email: "maria.souza@gmail.com",
        phone: null,
        currency: "BRL",
        presentment_currency: "BRL",
        created_at: "2025-03-09T21:10:00-03:00",
        updated_at: "2025-03-09T21:18:00-03:00",
        completed_at: null,
        abandoned_checkout_url: "https://loja.myshopify.com/63748243546/checkouts/ac/0123456789abcdef0456456789abcdef/recover?key=abc",
        total_price: "134.80",
        line_items: [
          { product_id: 8712001152126, variant_id: 46120001663414, title: "Sérum Facial Vitamina C 30ml", quantity: 1, price: "89.90" },
          { product_id: 8712001152500, variant_id: 46120001663500, title: "Batom Líquido Matte", quantity: 1, price: "44.90" },
        ],
        shipping_address: { city: "São Paulo", province_code: "SP", country_code: "BR", zip: "01304-001", phone: "+5511987654321" },
        customer: embeddedCustomer(),
      },
      BRL,
    );
    if (change.kind !== "checkout.upsert") throw new Error(change.kind);
    const { checkout } = change;
    expect(checkout.platformId).toBe("0123456789abcdef0456456789abcdef");
    expect(checkout.recoveryUrl).toContain("/recover?key=");
    expect(checkout.totalMinor).toBe(13480n);
    expect(checkout.lines.map((line) => line.unitPriceMinor)).toEqual([8990n, 4490n]);
    expect(checkout.customer?.platformId).toBe("7104000227107");
    expect(checkout.phone).toBe("+5511987654321");
    expect(checkout.startedAt.toISOString()).toBe("2025-03-10T00:10:00.000Z");
    expect(checkout.completedAt).toBeNull();
  });

  it("normalizes a product with variants and stock", () => {
    const change = normalizeShopifyWebhook(
      "products/create",
      {
        id: 8712001152126,
        title: "Café Especial em Grãos Bourbon Amarelo",
        handle: "cafe-especial-em-graos-bourbon-amarelo",
        vendor: "Café Serra da Mantiqueira",
        product_type: "Café",
        tags: "café especial, grãos",
        status: "active",
        updated_at: "2024-09-01T10:00:00-03:00",
        image: { src: "https://cdn.shopify.com/s/files/1/0637/files/cafe.jpg" },
        variants: [
          { id: 46120001663414, title: "250g", sku: "CAF-011-250G", price: "44.90", inventory_management: "shopify", inventory_policy: "deny", inventory_quantity: 0 },
          { id: 46120001663415, title: "500g", sku: "CAF-011-500G", price: "79.90", inventory_management: "shopify", inventory_policy: "deny", inventory_quantity: 12 },
          { id: 46120001663416, title: "1kg", sku: null, price: "149.90", inventory_management: null, inventory_quantity: 0 },
        ],
      },
      BRL,
    );
    if (change.kind !== "product.upsert") throw new Error(change.kind);
    const { product } = change;
    expect(product).toMatchObject({
      platformId: "8712001152126",
      category: "Café",
      tags: ["café especial", "grãos"],
      priceMinor: 4490n,
      currency: "BRL",
      inStock: true,
      imageUrl: "https://cdn.shopify.com/s/files/1/0637/files/cafe.jpg",
    });
    expect(product.variants).toEqual([
      { id: "46120001663414", title: "250g", sku: "CAF-011-250G", priceMinor: "4490", available: false },
      { id: "46120001663415", title: "500g", sku: "CAF-011-500G", priceMinor: "7990", available: true },
      { id: "46120001663416", title: "1kg", sku: null, priceMinor: "14990", available: true },
    ]);
  });

  it("handles app/uninstalled, compliance and unknown topics", () => {
    expect(normalizeShopifyWebhook("app/uninstalled", { id: 1, domain: "loja.com.br" }, BRL)).toEqual({ kind: "app.uninstalled" });
    const redact = { shop_id: 1, shop_domain: "loja.myshopify.com", customer: { id: 7104000227107 }, orders_to_redact: [5930000201522] };
    expect(normalizeShopifyWebhook("customers/redact", redact, BRL)).toEqual({ kind: "compliance", topic: "customers/redact", payload: redact });
    expect(normalizeShopifyWebhook("SHOP_REDACT", { shop_id: 1, shop_domain: "x" }, BRL)).toMatchObject({ kind: "compliance", topic: "shop/redact" });
    const ignored = normalizeShopifyWebhook("inventory_levels/update", { inventory_item_id: 1 }, BRL);
    expect(ignored.kind).toBe("ignored");
    if (ignored.kind === "ignored") expect(ignored.reason).toContain("inventory_levels/update");
  });
});

describe("normalizeShopifyWebhook: malformed payloads", () => {
  it.each([
    ["null body", "orders/create", null, /body must be a JSON object, got null/],
    ["string body", "orders/create", "{\"id\":1}", /body must be a JSON object, got string/],
    ["array body", "customers/create", [embeddedCustomer()], /got an array/],
    ["missing id", "orders/create", { ...webOrder(), id: undefined }, /"id" is missing/],
    ["non-numeric id", "customers/update", embeddedCustomer({ id: "abc" }), /"id" is not a valid id/],
    ["id beyond safe integers", "orders/updated", webOrder({ id: 2 ** 60 }), /safe integer/],
    ["delete without id", "customers/delete", {}, /"id" is missing/],
    ["comma decimal", "orders/create", webOrder({ total_price_set: undefined, total_price: "153,73" }), /"total_price".*not a decimal amount/],
    ["no total", "orders/create", webOrder({ total_price_set: undefined, total_price: undefined }), /no total_price/],
    ["bad timestamp", "orders/create", webOrder({ updated_at: "yesterday" }), /"updated_at" is not a timestamp/],
    ["no dates", "orders/create", webOrder({ created_at: undefined, processed_at: undefined }), /neither processed_at nor created_at/],
    ["line_items not a list", "orders/create", webOrder({ line_items: { id: 1 } }), /"line_items" must be an array/],
    ["line item not an object", "orders/create", webOrder({ line_items: ["x"] }), /line_items\[0\] must be a JSON object/],
    ["checkout without token or id", "checkouts/create", { created_at: "2025-03-09T21:10:00-03:00" }, /neither "token" nor "id"/],
    ["product without title", "products/update", { id: 8712001152126 }, /has no title/],
  ])("%s throws ShopifyPayloadError", (_label, topic, body, message) => {
    expectPayloadError(() => normalizeShopifyWebhook(topic, body, BRL), message);
  });

  it("names the topic in the error", () => {
    expectPayloadError(() => normalizeShopifyWebhook("orders/paid", {}, BRL), /^Shopify orders\/paid payload: "id" is missing$/);
  });
});
