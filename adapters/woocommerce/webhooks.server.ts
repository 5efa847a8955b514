// Our webhooks on a WooCommerce store, kept alive through the REST API. WooCommerce disables a
// webhook after 5 failed deliveries and never re-enables it by itself, and a merchant can delete or
// pause one in wp-admin: `ensureWebhooks` (on connect and on a schedule) re-enables, recreates and
// de-duplicates ours, identified by their delivery URL. Other plugins' webhooks are left alone.
import type { WooWebhook } from "./payloads";
import type { WooClient } from "./rest-client.server";

export const WOO_WEBHOOK_TOPICS = [
  "customer.created",
  "customer.updated",
  "customer.deleted",
  "order.created",
  "order.updated",
  "order.deleted",
  "order.restored",
  "product.created",
  "product.updated",
  "product.deleted",
  "product.restored",
] as const;

export interface EnsureWebhooksResult {
  created: string[];
  reactivated: string[];
  removedDuplicates: number;
  healthy: number;
}

export async function listWebhooks(client: WooClient): Promise<WooWebhook[]> {
  const all: WooWebhook[] = [];
  for (let page = 1; ; page++) {
    const res = await client.page<WooWebhook>("webhooks", { per_page: 100, page, status: "all" });
    all.push(...res.items);
    if (res.items.length < 100 || (res.totalPages !== null && page >= res.totalPages)) return all;
  }
}

export async function ensureWebhooks(client: WooClient, target: { deliveryUrl: string; secret: string; name?: string }): Promise<EnsureWebhooksResult> {
  const ours = (await listWebhooks(client)).filter((w) => w.delivery_url === target.deliveryUrl);
  const result: EnsureWebhooksResult = { created: [], reactivated: [], removedDuplicates: 0, healthy: 0 };
  for (const topic of WOO_WEBHOOK_TOPICS) {
    const [keep, ...extra] = ours.filter((w) => w.topic === topic).sort((a, b) => Number(b.status === "active") - Number(a.status === "active") || a.id - b.id);
    for (const dup of extra) {
      await client.delete(`webhooks/${dup.id}`, { force: "true" });
      result.removedDuplicates += 1;
    }
    if (!keep) {
      await client.post("webhooks", { name: `${target.name ?? "caderninho"} ${topic}`, topic, delivery_url: target.deliveryUrl, secret: target.secret, status: "active" });
      result.created.push(topic);
    } else if (keep.status !== "active") {
      // The secret is rewritten too: we cannot read back what a merchant may have changed.
      await client.put(`webhooks/${keep.id}`, { status: "active", secret: target.secret });
      result.reactivated.push(topic);
    } else result.healthy += 1;
  }
  return result;
}
