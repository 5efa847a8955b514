/* global fetch, setTimeout, clearTimeout -- the pixel sandbox (a web worker) provides them */
// caderninho behaviour pixel: five standard storefront events, batched (up to 20 or 2 s) and posted
// to caderninho's /pixel/events with the store's public key. The customer's id/email, when the
// shopper is logged in or typed it at checkout, ties the events to the customer in the CRM.
import { register } from "@shopify/web-pixels-extension";

const EVENTS = ["page_viewed", "product_viewed", "product_added_to_cart", "checkout_started", "checkout_completed"];
const MAX_BATCH = 20;
const FLUSH_MS = 2000;

register(({ analytics, init, settings }) => {
  if (!settings.storeKey || !settings.endpoint) return;
  const url = `${settings.endpoint}?key=${encodeURIComponent(settings.storeKey)}`;
  let queue = [];
  let timer = null;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!queue.length) return;
    const events = queue;
    queue = [];
    // text/plain: a "simple" cross-origin request, no preflight; keepalive survives navigation.
    fetch(url, { method: "POST", body: JSON.stringify({ events }), keepalive: true, headers: { "Content-Type": "text/plain" } }).catch(() => {});
  };

  const customerOf = (event) => {
    const c = init.data && init.data.customer;
    const checkout = event.data && event.data.checkout;
    const id = c && c.id ? String(c.id) : undefined;
    const email = (c && c.email) || (checkout && checkout.email) || undefined;
    return id || email ? { id, email } : undefined;
  };

  const shape = (name, event) => {
    const d = event.data || {};
    const variant = d.productVariant || (d.cartLine && d.cartLine.merchandise);
    const checkout = d.checkout;
    return {
      name,
      id: event.id,
      occurredAt: event.timestamp,
      clientId: event.clientId,
      url: event.context && event.context.document ? event.context.document.location.href : undefined,
      customer: customerOf(event),
      productId: variant && variant.product ? String(variant.product.id) : undefined,
      variantId: variant ? String(variant.id) : undefined,
      quantity: d.cartLine ? d.cartLine.quantity : undefined,
      checkoutToken: checkout ? checkout.token : undefined,
      orderId: checkout && checkout.order ? String(checkout.order.id) : undefined,
      value: checkout && checkout.totalPrice ? { amount: checkout.totalPrice.amount, currency: checkout.totalPrice.currencyCode } : undefined,
    };
  };

  for (const name of EVENTS) {
    analytics.subscribe(name, (event) => {
      queue.push(shape(name, event));
      // Checkout completion is the last page some shoppers see: send it at once.
      if (queue.length >= MAX_BATCH || name === "checkout_completed") flush();
      else if (!timer) timer = setTimeout(flush, FLUSH_MS);
    });
  }
});
