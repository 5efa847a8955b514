// Waiting for a bulk operation: with the bulk_operations/finish webhook as a signal, the job
// polls Shopify right after the webhook instead of at its next (up to a minute away) poll.
import { describe, expect, it } from "vitest";
import type { AdminGraphqlClient } from "../../adapters/shopify/admin-graphql.server.ts";
import { waitForBulkOperation } from "../../adapters/shopify/bulk-operations.server.ts";

/** A Shopify that completes the operation at `completesAt` (virtual ms), counting status polls. */
function fakeShopify(completesAt: number) {
  let clock = 0;
  let polls = 0;
  const client = {
    endpoint: "fake",
    available: () => null,
    async request() {
      polls++;
      const done = clock >= completesAt;
      return {
        data: {
          node: { id: "gid://shopify/BulkOperation/1", status: done ? "COMPLETED" : "RUNNING", objectCount: "10", rootObjectCount: "10", url: done ? "https://x/1.jsonl" : null },
        },
      };
    },
  } as unknown as AdminGraphqlClient;
  return {
    client,
    now: () => clock,
    sleep: async (ms: number) => {
      clock += ms;
    },
    polls: () => polls,
  };
}

describe("waitForBulkOperation", () => {
  it("without a signal, finds out at its next poll", async () => {
    const shop = fakeShopify(50_000);
    await waitForBulkOperation(shop.client, "gid://shopify/BulkOperation/1", { intervalMs: 40_000, maxIntervalMs: 60_000, sleep: shop.sleep, now: shop.now });
    expect(shop.now()).toBe(100_000); // polls at 0, 40 s, 100 s
    expect(shop.polls()).toBe(3);
  });

  it("with the finish webhook as signal, polls within a second of it", async () => {
    const shop = fakeShopify(50_000);
    const finished = async () => shop.now() >= 50_000; // the webhook's receipt is stored at 50 s
    await waitForBulkOperation(shop.client, "gid://shopify/BulkOperation/1", { intervalMs: 40_000, maxIntervalMs: 60_000, sleep: shop.sleep, now: shop.now, finished });
    expect(shop.now()).toBeLessThanOrEqual(51_000);
    expect(shop.polls()).toBe(3); // 0 s, 40 s (still running), right after the signal
  });
});
