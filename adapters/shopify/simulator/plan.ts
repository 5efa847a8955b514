// The behavioural model: who the customers are, when they buy, what and how they pay, and what
// happens to each order afterwards. Purchases follow a BG/NBD-style process: each customer buys
// at a personal rate (gamma-distributed across customers) and, after every order, leaves for good
// with a personal probability (beta-distributed). That yields many one-time buyers, a core of
// loyal repeaters and lapsed customers — the raw material for RFM and churn scoring.

import {
  type City,
  boletoLine,
  cep,
  mobilePhone,
  personalEmail,
  pickCity,
  pixCopiaECola,
  shopDay,
  shopTimestamp,
  streetAddress,
} from "./brazil";
import { CATALOG, CATEGORY_SKU_PREFIX, CATEGORY_WEIGHTS, type Category, handleize } from "./catalog";
import {
  DAY,
  HOUR,
  MINUTE,
  type SimChannel,
  type SimCheckout,
  type SimCustomer,
  type SimLine,
  type SimMethod,
  type SimOrder,
  type SimProduct,
  type SimShipping,
  lineGrossCents,
  orderSubtotalCents,
  orderTotalCents,
} from "./model";
import type { Rng } from "./random";

export const SHOP_NAME = "Empório Jabuticaba";
export const SHOP_CITY = "São Paulo";
/** Length of the simulated history. */
export const HISTORY_DAYS = 730;

export interface StorePlan {
  start: Date;
  now: Date;
  products: SimProduct[];
  customers: SimCustomer[];
  orders: SimOrder[];
  checkouts: SimCheckout[];
}

// Relative hourly shopping activity in Brasília time (late evening peak).
const HOUR_WEIGHTS = [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.5, 3.5, 4, 4.5, 5, 5, 4.5, 4.5, 4.5, 4.5, 5, 6, 7, 7, 5.5, 3].map(
  (weight, hour) => ({ value: hour, weight }),
);

/** The same Brasília calendar day as `moment`, at a plausible shopping hour. */
function atShoppingHour(rng: Rng, moment: number): number {
  const brtMidnight = Math.floor((moment - 3 * HOUR) / DAY) * DAY + 3 * HOUR;
  return brtMidnight + rng.weighted(HOUR_WEIGHTS) * HOUR + rng.int(0, 3599) * 1000;
}

function isBlackFriday(moment: Date): boolean {
  const day = shopDay(moment);
  const month = day.slice(5, 7);
  const date = Number(day.slice(8, 10));
  return month === "11" && date >= 20;
}

// ------------------------------------------------------------------------------------------
// Products
// ------------------------------------------------------------------------------------------

function planProducts(rng: Rng, start: Date): SimProduct[] {
  return CATALOG.map((catalog, index) => {
    const handle = handleize(catalog.title);
    const prefix = CATEGORY_SKU_PREFIX[catalog.category];
    return {
      id: 0,
      imageId: 0,
      handle,
      // Catalogue built over the months before the history window opens.
      createdAt: new Date(start.getTime() - (120 - index * 3) * DAY - rng.int(0, 20) * HOUR),
      catalog,
      variants: catalog.variants.map((variant, position) => ({
        id: 0,
        inventoryItemId: 0,
        position: position + 1,
        sku: `${prefix}-${String(index + 1).padStart(3, "0")}${variant.option ? `-${handleize(variant.option).toUpperCase()}` : ""}`,
        catalog: variant,
        // A few sold-out variants make stock-aware recommendations testable.
        inventory: rng.chance(0.06) ? 0 : rng.int(5, 240),
      })),
    };
  });
}

// ------------------------------------------------------------------------------------------
// Customers
// ------------------------------------------------------------------------------------------

function planCustomer(rng: Rng, takenEmails: Set<string>): SimCustomer {
  const female = rng.chance(0.62); // fashion and cosmetics skew the audience
  const firstName = rng.faker.person.firstName(female ? "female" : "male");
  const lastName = rng.faker.person.lastName();
  const city: City = pickCity(rng);
  const phone = rng.chance(0.85) ? mobilePhone(rng, city) : null;
  return {
    id: 0,
    addressId: 0,
    createdAt: new Date(0),
    firstName,
    lastName,
    email: personalEmail(rng, firstName, lastName, takenEmails),
    phone,
    city,
    zip: cep(rng, city),
    street: streetAddress(rng),
    hasAccount: rng.chance(0.25),
    emailSubscribed: rng.chance(0.7),
    smsSubscribed: phone !== null && rng.chance(0.3),
    consentChange: null,
    favourite: rng.weighted(CATEGORY_WEIGHTS),
    purchaseRate: rng.gamma(1.3, 3.2),
    dropout: rng.beta(1.3, 3.8),
  };
}

// ------------------------------------------------------------------------------------------
// Order contents
// ------------------------------------------------------------------------------------------

const ITEM_COUNT = [
  { value: 1, weight: 52 },
  { value: 2, weight: 29 },
  { value: 3, weight: 12 },
  { value: 4, weight: 7 },
];
const QUANTITY = [
  { value: 1, weight: 85 },
  { value: 2, weight: 12 },
  { value: 3, weight: 3 },
];

function pickProduct(rng: Rng, products: SimProduct[], favourite: Category, history: SimLine[]): SimLine {
  const consumables = history.filter((line) => line.product.catalog.consumable);
  if (consumables.length > 0 && rng.chance(0.45)) {
    const previous = rng.pick(consumables); // replenishment: the same coffee, the same serum
    return { id: 0, product: previous.product, variant: previous.variant, quantity: rng.weighted(QUANTITY), discountCents: 0 };
  }
  const category = rng.chance(0.7) ? favourite : rng.weighted(CATEGORY_WEIGHTS);
  const product = rng.pick(products.filter((candidate) => candidate.catalog.category === category));
  return { id: 0, product, variant: rng.pick(product.variants), quantity: rng.weighted(QUANTITY), discountCents: 0 };
}

function pickLines(rng: Rng, products: SimProduct[], favourite: Category, history: SimLine[]): SimLine[] {
  const lines: SimLine[] = [];
  const count = rng.weighted(ITEM_COUNT);
  for (let i = 0; i < count; i++) {
    const line = pickProduct(rng, products, favourite, history);
    const same = lines.find((existing) => existing.variant === line.variant);
    if (same) same.quantity += 1;
    else lines.push(line);
  }
  return lines;
}

/** Percentage discount allocated per line, rounded down, so allocations add up exactly. */
function applyDiscount(lines: SimLine[], percent: number): void {
  for (const line of lines) line.discountCents = Math.floor((lineGrossCents(line) * percent) / 100);
}

const PAC_BY_REGION: Record<City["region"], number> = {
  Sudeste: 1890,
  Sul: 2290,
  "Centro-Oeste": 2490,
  Nordeste: 2790,
  Norte: 3290,
};
const FREE_SHIPPING_FROM_CENTS = 19900;

function webShipping(rng: Rng, city: City, netCents: number): SimShipping {
  if (netCents >= FREE_SHIPPING_FROM_CENTS) return { id: 0, title: "Frete Grátis", code: "FRETE_GRATIS", priceCents: 0 };
  const pac = PAC_BY_REGION[city.region];
  return rng.chance(0.65)
    ? { id: 0, title: "PAC - Correios", code: "PAC", priceCents: pac }
    : { id: 0, title: "SEDEX - Correios", code: "SEDEX", priceCents: pac + 1400 };
}

// ------------------------------------------------------------------------------------------
// Traffic source (landing_site with UTM parameters)
// ------------------------------------------------------------------------------------------

interface Traffic {
  landingSite: string;
  referringSite: string | null;
}

function traffic(rng: Rng, customer: SimCustomer, lines: SimLine[], at: Date): Traffic {
  const firstLine = lines[0];
  const path = rng.weighted([
    { value: "/", weight: 35 },
    { value: firstLine ? `/products/${firstLine.product.handle}` : "/", weight: 50 },
    { value: `/collections/${handleize(customer.favourite)}`, weight: 15 },
  ]);
  const year = shopDay(at).slice(0, 4);
  const blackFriday = isBlackFriday(at);
  const source = rng.weighted([
    { value: "organic", weight: 30 },
    { value: "google", weight: 18 },
    { value: "instagram", weight: 17 },
    { value: "facebook", weight: 10 },
    // Newsletter clicks only come from subscribers.
    { value: customer.emailSubscribed ? "email" : "organic", weight: 10 },
    { value: "whatsapp", weight: 8 },
    { value: "tiktok", weight: 7 },
  ]);
  const utm = (utmSource: string, medium: string, campaign: string, extra = "") =>
    `${path}?utm_source=${utmSource}&utm_medium=${medium}&utm_campaign=${blackFriday ? `black-friday-${year}` : campaign}${extra}`;
  switch (source) {
    case "google":
      return { landingSite: utm("google", "cpc", "pmax-catalogo", `&gclid=${rng.hex(24)}`), referringSite: "https://www.google.com/" };
    case "instagram":
      return { landingSite: utm("instagram", "social", "colecao-estacao", `&fbclid=${rng.hex(24)}`), referringSite: "https://l.instagram.com/" };
    case "facebook":
      return { landingSite: utm("facebook", "paid_social", "remarketing-carrinho", `&fbclid=${rng.hex(24)}`), referringSite: "https://m.facebook.com/" };
    case "email":
      return { landingSite: utm("email", "newsletter", `novidades-${shopDay(at).slice(0, 7)}`), referringSite: null };
    case "whatsapp":
      return { landingSite: utm("whatsapp", "social", "lista-vip"), referringSite: null };
    case "tiktok":
      return { landingSite: utm("tiktok", "paid_social", "ugc-criadores"), referringSite: "https://www.tiktok.com/" };
    default:
      return { landingSite: path, referringSite: rng.chance(0.6) ? "https://www.google.com/" : null };
  }
}

// ------------------------------------------------------------------------------------------
// Payment: method, gateway and the boleto/Pix data the payment apps leave in note_attributes
// ------------------------------------------------------------------------------------------

const PIX_GATEWAYS = [
  { value: "Mercado Pago", weight: 35 },
  { value: "Pagar.me", weight: 30 },
  { value: "PagBank", weight: 20 },
  { value: "Pix", weight: 15 },
];
const BOLETO_GATEWAYS = [
  { value: "Mercado Pago", weight: 38 },
  { value: "Pagar.me", weight: 32 },
  { value: "PagBank", weight: 22 },
  // A manual payment method: no app data, recognised by its name only.
  { value: "Boleto Bancário", weight: 8 },
];
const BOLETO_BANK: Record<string, string> = { "Mercado Pago": "237", "Pagar.me": "341", PagBank: "290" };

function pickWebMethod(rng: Rng, habit: SimMethod): SimMethod {
  if (rng.chance(0.75)) return habit;
  return rng.weighted<SimMethod>([
    { value: "card", weight: 60 },
    { value: "pix", weight: 25 },
    { value: "boleto", weight: 15 },
  ]);
}

function pixNotes(rng: Rng, gateway: string, placedAt: Date, totalCents: number): { name: string; value: string }[] {
  const host = { "Mercado Pago": "pix.mercadopago.com.br/qr/v2", "Pagar.me": "api.pagar.me/pix/qr/v2", PagBank: "api.pagseguro.com/pix/v2" }[
    gateway
  ] ?? "qrpix.bradesco.com.br/qr/v2";
  const code = pixCopiaECola({
    locationUrl: `${host}/${rng.uuid()}`,
    amountMinor: BigInt(totalCents),
    merchantName: SHOP_NAME,
    merchantCity: SHOP_CITY,
  });
  const expiresAt = shopTimestamp(new Date(placedAt.getTime() + 30 * MINUTE));
  const codeName = gateway === "Pagar.me" ? "pix_copia_e_cola" : gateway === "PagBank" ? "pix_qr_code" : "pix_code";
  return [
    { name: codeName, value: code },
    { name: "pix_expires_at", value: expiresAt },
  ];
}

function boletoNotes(rng: Rng, gateway: string, placedAt: Date, totalCents: number): { name: string; value: string }[] {
  const bank = BOLETO_BANK[gateway];
  if (!bank) return [];
  const dueDay = shopDay(new Date(placedAt.getTime() + 3 * DAY));
  const line = boletoLine(rng, bank, dueDay, BigInt(totalCents));
  if (gateway === "Mercado Pago") {
    return [
      { name: "boleto_url", value: `https://www.mercadopago.com.br/payments/${rng.digits(11)}/ticket?caller_id=${rng.digits(9)}&hash=${rng.uuid()}` },
      { name: "boleto_barcode", value: line },
      { name: "boleto_due_date", value: dueDay },
    ];
  }
  if (gateway === "Pagar.me") {
    const [year, month, day] = dueDay.split("-");
    return [
      { name: "boleto_url", value: `https://api.pagar.me/core/v5/transactions/tran_${rng.faker.string.alphanumeric(16)}/pdf` },
      { name: "linha_digitavel", value: line },
      { name: "vencimento", value: `${day}/${month}/${year}` },
    ];
  }
  return [
    { name: "boleto_url", value: `https://boleto.pagseguro.com.br/${rng.uuid()}.pdf` },
    { name: "linha_digitavel", value: line },
    { name: "boleto_due_date", value: dueDay },
  ];
}

// ------------------------------------------------------------------------------------------
// Orders and what happens to them
// ------------------------------------------------------------------------------------------

interface OrderDraft {
  customer: SimCustomer | null;
  placedAt: Date;
  channel: SimChannel;
  method: SimMethod;
  lines: SimLine[];
  discount: { code: string; percent: number } | null;
  traffic: Traffic | null;
}

function buildOrder(rng: Rng, draft: OrderDraft, now: Date): SimOrder {
  const { customer, placedAt, channel, method, lines } = draft;
  if (draft.discount) applyDiscount(lines, draft.discount.percent);
  const placed = placedAt.getTime();

  const order: SimOrder = {
    id: 0,
    number: 0,
    token: rng.hex(32),
    confirmationNumber: rng.faker.string.alphanumeric({ length: 9, casing: "upper" }),
    checkoutId: null,
    checkoutToken: channel === "web" ? rng.hex(32) : null,
    customer,
    placedAt,
    channel,
    method,
    gateway: "",
    lines,
    discountCode: draft.discount,
    shipping: null,
    landingSite: draft.traffic?.landingSite ?? null,
    referringSite: draft.traffic?.referringSite ?? null,
    noteAttributes: [],
    paidAt: null,
    cancelledAt: null,
    cancelReason: null,
    refund: null,
    fulfilledAt: null,
    locationId: null,
  };
  const net = orderSubtotalCents(order) - lines.reduce((sum, line) => sum + line.discountCents, 0);
  if (channel === "web" && customer) order.shipping = webShipping(rng, customer.city, net);
  if (channel === "draft" && customer && rng.chance(0.5)) order.shipping = webShipping(rng, customer.city, net);
  const total = orderTotalCents(order);

  switch (method) {
    case "card":
      order.gateway = "shopify_payments";
      order.paidAt = placedAt;
      break;
    case "cash":
      order.gateway = "cash";
      order.paidAt = placedAt;
      break;
    case "manual":
      order.gateway = "manual";
      order.paidAt = placedAt;
      break;
    case "pix":
      order.gateway = rng.weighted(PIX_GATEWAYS);
      order.noteAttributes = pixNotes(rng, order.gateway, placedAt, total);
      // Most Pix codes are paid within minutes; expired ones are cancelled by the app next day.
      if (rng.chance(0.93)) order.paidAt = new Date(placed + rng.int(1, 20) * MINUTE + rng.int(0, 59) * 1000);
      else {
        order.cancelledAt = new Date(placed + DAY + rng.int(0, 120) * MINUTE);
        order.cancelReason = "other";
      }
      break;
    case "boleto":
      order.gateway = rng.weighted(BOLETO_GATEWAYS);
      order.noteAttributes = boletoNotes(rng, order.gateway, placedAt, total);
      // About 1 in 5 boletos is never paid and the order stays pending.
      if (rng.chance(0.8)) order.paidAt = new Date(placed + rng.int(20, 60) * HOUR + rng.int(0, 3599) * 1000);
      break;
  }

  if (channel === "pos") {
    order.locationId = 71_234_567_890;
    order.fulfilledAt = placedAt;
  }

  // A few card orders are cancelled (and refunded in full) within the day.
  if (method === "card" && channel === "web" && rng.chance(0.02)) {
    order.cancelledAt = new Date(placed + rng.int(1, 20) * HOUR);
    order.cancelReason = rng.chance(0.8) ? "customer" : "inventory";
    order.refund = { id: 0, transactionId: 0, failedTransactionId: null, at: order.cancelledAt, amountCents: total, line: null };
  }

  const paidAt = order.paidAt;
  if (paidAt && !order.cancelledAt) {
    if (!order.fulfilledAt) order.fulfilledAt = new Date(paidAt.getTime() + rng.int(18, 96) * HOUR);
    if (rng.chance(0.045)) {
      const units = lines.reduce((sum, line) => sum + line.quantity, 0);
      const partial = units > 1 && rng.chance(0.6);
      const line = partial ? rng.pick(lines) : null;
      order.refund = {
        id: 0,
        transactionId: 0,
        failedTransactionId: rng.chance(0.1) ? 0 : null,
        at: new Date(paidAt.getTime() + rng.int(3, 20) * DAY + rng.int(0, 86_399) * 1000),
        amountCents: line ? line.variant.catalog.priceCents - Math.floor(line.discountCents / line.quantity) : total,
        line,
      };
    }
  }

  // Nothing may happen after the end of the simulation.
  const end = now.getTime();
  if (order.paidAt && order.paidAt.getTime() > end) order.paidAt = null;
  if (order.cancelledAt && order.cancelledAt.getTime() > end) {
    order.cancelledAt = null;
    order.cancelReason = null;
  }
  if (order.refund && order.refund.at.getTime() > end) order.refund = null;
  if (order.fulfilledAt && (order.fulfilledAt.getTime() > end || !order.paidAt)) order.fulfilledAt = null;
  return order;
}

function checkoutFor(
  rng: Rng,
  customer: SimCustomer,
  createdAt: Date,
  lines: { product: SimProduct; variant: SimProduct["variants"][number]; quantity: number }[],
  order: SimOrder | null,
): SimCheckout {
  return {
    id: 0,
    token: order?.checkoutToken ?? rng.hex(32),
    customer,
    createdAt,
    updatedAt: order ? new Date(order.placedAt.getTime() + 1000) : new Date(createdAt.getTime() + rng.int(2, 15) * MINUTE),
    lines: lines.map(({ product, variant, quantity }) => ({ product, variant, quantity })),
    completedAt: order ? order.placedAt : null,
    order,
    landingSite: order?.landingSite ?? null,
    referringSite: order?.referringSite ?? null,
  };
}

// ------------------------------------------------------------------------------------------
// The whole shop
// ------------------------------------------------------------------------------------------

export function planStore(rng: Rng, customerCount: number, now: Date): StorePlan {
  const end = now.getTime();
  const start = new Date(end - HISTORY_DAYS * DAY);
  const window = end - start.getTime();
  const products = planProducts(rng, start);
  const takenEmails = new Set<string>();
  const customers: SimCustomer[] = [];
  const orders: SimOrder[] = [];
  const checkouts: SimCheckout[] = [];

  for (let i = 0; i < customerCount; i++) {
    const customer = planCustomer(rng, takenEmails);
    // The shop grows: later arrivals are more common than early ones.
    // (Orders stop a few minutes before `now`, so their follow-up webhooks fit in the history.)
    const lastOrderAt = end - 5 * MINUTE;
    const arrival = Math.min(atShoppingHour(rng, start.getTime() + window * rng.uniform() ** 0.8), lastOrderAt - rng.int(0, 3600) * 1000);
    const habit = rng.weighted<SimMethod>([
      { value: "card", weight: 60 },
      { value: "pix", weight: 25 },
      { value: "boleto", weight: 15 },
    ]);
    const localShopper = customer.city.name === SHOP_CITY && rng.chance(0.4);
    const history: SimLine[] = [];
    const activity: number[] = [];

    // Some sign up (newsletter, abandoned checkout) and never buy.
    if (rng.chance(0.06)) {
      activity.push(arrival);
      if (rng.chance(0.5)) {
        const lines = pickLines(rng, products, customer.favourite, history);
        checkouts.push(checkoutFor(rng, customer, new Date(arrival + 30_000), lines, null));
      }
    } else {
      let moment = arrival;
      let first = true;
      while (moment <= lastOrderAt) {
        const placedAt = new Date(moment);
        const channel: SimChannel = localShopper && rng.chance(0.5) ? "pos" : rng.chance(0.03) ? "draft" : "web";
        const method: SimMethod =
          channel === "pos" ? (rng.chance(0.7) ? "card" : "cash") : channel === "draft" ? "manual" : pickWebMethod(rng, habit);
        const lines = pickLines(rng, products, customer.favourite, history);
        let discount: OrderDraft["discount"] = null;
        if (channel === "web") {
          if (isBlackFriday(placedAt) && rng.chance(0.45)) discount = { code: "BLACKFRIDAY20", percent: 20 };
          else if (first && rng.chance(0.22)) discount = { code: "BEMVINDO10", percent: 10 };
          else if (!first && rng.chance(0.1)) discount = { code: "VOLTEI15", percent: 15 };
        }
        const order = buildOrder(
          rng,
          { customer, placedAt, channel, method, lines, discount, traffic: channel === "web" ? traffic(rng, customer, lines, placedAt) : null },
          now,
        );
        orders.push(order);
        history.push(...lines);
        activity.push(moment);

        if (channel === "web") {
          // Cart abandoned earlier (different basket), and some checkouts we see complete.
          const abandonedAt = moment - rng.int(2, 6 * 24) * HOUR;
          if (rng.chance(0.3) && abandonedAt > start.getTime()) {
            const startedAt = abandonedAt;
            const abandoned = pickLines(rng, products, customer.favourite, history);
            checkouts.push(checkoutFor(rng, customer, new Date(startedAt), abandoned, null));
            activity.push(startedAt);
          }
          if (rng.chance(0.15)) {
            const startedAt = moment - rng.int(4, 25) * MINUTE;
            checkouts.push(checkoutFor(rng, customer, new Date(startedAt), lines, order));
            activity.push(startedAt);
          }
        }

        if (rng.chance(customer.dropout)) break;
        first = false;
        const gapDays = Math.max(3, rng.exponential(365 / Math.max(customer.purchaseRate, 0.05)));
        moment = atShoppingHour(rng, moment + gapDays * DAY);
      }
    }

    customer.createdAt = new Date(Math.min(...activity) - rng.int(5, 90) * 1000);
    // Later opt-outs (and a few opt-ins) arrive as customers/update.
    if (rng.chance(customer.emailSubscribed ? 0.07 : 0.05)) {
      const at = atShoppingHour(rng, customer.createdAt.getTime() + rng.int(10, HISTORY_DAYS) * DAY);
      if (at <= end) customer.consentChange = { at: new Date(at), subscribed: !customer.emailSubscribed };
    }
    customers.push(customer);
  }

  // Walk-in POS sales without a customer record.
  const walkIns = Math.round(customerCount * 0.06);
  for (let i = 0; i < walkIns; i++) {
    const placedAt = new Date(Math.min(atShoppingHour(rng, start.getTime() + window * rng.uniform()), end - 5 * MINUTE));
    const lines = pickLines(rng, products, rng.weighted(CATEGORY_WEIGHTS), []);
    orders.push(
      buildOrder(rng, { customer: null, placedAt, channel: "pos", method: rng.chance(0.7) ? "card" : "cash", lines, discount: null, traffic: null }, now),
    );
  }

  assignIds(rng, products, customers, orders, checkouts);
  return { start, now, products, customers, orders, checkouts };
}

/** Shopify-like ids: 13–14 digits, increasing with creation time, random gaps between them. */
function assignIds(rng: Rng, products: SimProduct[], customers: SimCustomer[], orders: SimOrder[], checkouts: SimCheckout[]): void {
  const counter = (startAt: number) => {
    let value = startAt;
    return () => (value += rng.int(1_000, 90_000));
  };
  const productId = counter(8_712_000_000_000);
  const variantId = counter(46_120_000_000_000);
  const inventoryItemId = counter(48_230_000_000_000);
  const imageId = counter(35_840_000_000_000);
  for (const product of products) {
    product.id = productId();
    product.imageId = imageId();
    for (const variant of product.variants) {
      variant.id = variantId();
      variant.inventoryItemId = inventoryItemId();
    }
  }

  customers.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const customerId = counter(7_104_000_000_000);
  const addressId = counter(9_150_000_000_000);
  for (const customer of customers) {
    customer.id = customerId();
    customer.addressId = addressId();
  }

  orders.sort((a, b) => a.placedAt.getTime() - b.placedAt.getTime());
  const orderId = counter(5_930_000_000_000);
  const lineId = counter(14_560_000_000_000);
  const shippingId = counter(4_910_000_000_000);
  const checkoutId = counter(36_200_000_000_000);
  orders.forEach((order, index) => {
    order.id = orderId();
    order.number = 1001 + index;
    if (order.checkoutToken) order.checkoutId = checkoutId();
    for (const line of order.lines) line.id = lineId();
    if (order.shipping) order.shipping.id = shippingId();
  });

  const refunds = orders
    .map((order) => order.refund)
    .filter((refund) => refund !== null)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const refundId = counter(952_000_000_000);
  const transactionId = counter(7_480_000_000_000);
  for (const refund of refunds) {
    refund.id = refundId();
    if (refund.failedTransactionId !== null) refund.failedTransactionId = transactionId();
    refund.transactionId = transactionId();
  }

  checkouts.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const abandonedId = counter(36_900_000_000_000);
  for (const checkout of checkouts) checkout.id = checkout.order?.checkoutId ?? abandonedId();
}
