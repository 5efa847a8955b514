import { createStoreSimulator } from "./adapters/shopify/simulator";
import { normalizeShopifyWebhook } from "./adapters/shopify/normalize";
const sim = createStoreSimulator({ seed: 42, customers: 300, shopDomain: "emporio-jabuticaba.myshopify.com" });
const shown = new Set<string>();
for (const d of sim.deliveries()) {
  const b = d.body as any;
  if (!d.topic.startsWith("orders/")) continue;
  const n = normalizeShopifyWebhook(d.topic, d.body, { shopCurrency: "BRL" });
  if (n.kind !== "order.upsert") continue;
  const key = d.topic + n.order.paymentMethod + n.order.gateways[0] + n.order.financialStatus;
  if (shown.has(key)) continue;
  shown.add(key);
  const { customer, lines, ...rest } = n.order;
  console.log(d.topic, JSON.stringify(rest, (k, v) => typeof v === "bigint" ? v.toString() : v));
}
