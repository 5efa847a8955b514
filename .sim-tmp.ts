import { createStoreSimulator } from "./adapters/shopify/simulator";
import { normalizeShopifyWebhook } from "./adapters/shopify/normalize";
const t0 = Date.now();
const sim = createStoreSimulator({ seed: 42, customers: 3000, shopDomain: "emporio-jabuticaba.myshopify.com" });
const t1 = Date.now();
let n = 0; let bytes = 0;
for (const d of sim.deliveries()) { n++; bytes += JSON.stringify(d.body).length; normalizeShopifyWebhook(d.topic, d.body, { shopCurrency: "BRL" }); }
const t2 = Date.now();
const s = sim.summary();
console.log({ plan: t1 - t0, iterate: t2 - t1, n, mb: bytes / 1e6 });
console.log(s);
