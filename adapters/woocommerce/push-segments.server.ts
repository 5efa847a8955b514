// Segment membership pushed back to WooCommerce, where other plugins (e-mail marketing, coupons,
// membership) can read it: one customer meta key of our own, `_caderninho_segments`, holding the
// customer's segment tags as a sorted, comma-separated string. Only that key is ever written (other
// meta is untouched: WooCommerce updates meta by key), only customers whose value differs are sent,
// and they go in /customers/batch requests of at most 100 (WooCommerce's limit).
import type { WooClient } from "./rest-client.server";

import { SEGMENTS_META_KEY } from "./normalize.ts";

export { SEGMENTS_META_KEY };
const BATCH_LIMIT = 100;

export interface SegmentMembership {
  /** WordPress user id of the customer. */
  customerId: number;
  tags: string[];
}

export interface PushResult {
  updated: number;
  unchanged: number;
  /** Customers WooCommerce no longer has (deleted since our last sync). */
  missing: number[];
  failed: { customerId: number; error: string }[];
  requests: number;
}

type Meta = { key: string; value: unknown };
type BatchAnswer = { update?: ({ id: number; error?: { message?: string } } & Record<string, unknown>)[] };

export function segmentsValue(tags: readonly string[]): string {
  return [...new Set(tags.map((t) => t.trim()).filter(Boolean))].sort((a, b) => a.localeCompare(b, "pt-BR")).join(", ");
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function pushWooSegments(client: WooClient, memberships: readonly SegmentMembership[]): Promise<PushResult> {
  const result: PushResult = { updated: 0, unchanged: 0, missing: [], failed: [], requests: 0 };
  const wanted = new Map(memberships.map((m) => [m.customerId, segmentsValue(m.tags)]));
  for (const ids of chunks([...wanted.keys()], BATCH_LIMIT)) {
    // What the store holds now: the diff is against it, not against what we believe we sent.
    const current = await client.page<{ id: number; meta_data?: Meta[] }>("customers", { include: ids.join(","), per_page: BATCH_LIMIT, page: 1, role: "all" });
    result.requests += 1;
    const found = new Map(current.items.map((c) => [c.id, c]));
    const update: { id: number; meta_data: Meta[] }[] = [];
    for (const id of ids) {
      const customer = found.get(id);
      if (!customer) {
        result.missing.push(id);
        continue;
      }
      const now = customer.meta_data?.find((m) => m.key === SEGMENTS_META_KEY)?.value;
      const value = wanted.get(id)!;
      if ((typeof now === "string" ? now : "") === value) result.unchanged += 1;
      else update.push({ id, meta_data: [{ key: SEGMENTS_META_KEY, value }] });
    }
    if (!update.length) continue;
    const answer = await client.post<BatchAnswer>("customers/batch", { update });
    result.requests += 1;
    for (const item of answer.update ?? []) {
      if (item.error) result.failed.push({ customerId: Number(item.id), error: item.error.message ?? "error" });
      else result.updated += 1;
    }
  }
  return result;
}
