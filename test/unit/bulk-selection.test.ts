// Our bulk queries ask only for what the normaliser reads (every byte of a 1M-order file is
// downloaded and parsed). Proof that nothing needed was left out: the simulated store's lines cut
// down to each query's selection — what Shopify would write for it — normalise exactly as the
// full rendering does, for customers, orders and products of two stores and currencies.
import { describe, expect, it } from "vitest";
import {
  BULK_QUERIES,
  bulkQueryWithSearch,
  readBulkJsonl,
  type BulkQueryName,
} from "../../adapters/shopify/bulk-operations.server";
import { normalizeBulkRecord } from "../../adapters/shopify/normalize-graphql";
import { createGraphqlStore } from "../../adapters/shopify/simulator/render-graphql";
import type { NormalizedChange } from "../../app/core/types";
import { bulkSelection } from "../support/bulk-selection";

async function normalised(
  lines: Record<string, unknown>[],
  shopCurrency: string
): Promise<NormalizedChange[]> {
  const jsonl = lines.map((line) => JSON.stringify(line)).join("\n");
  const out: NormalizedChange[] = [];
  for await (const record of readBulkJsonl(new Blob([jsonl]).stream()))
    out.push(normalizeBulkRecord(record, { shopCurrency }));
  return out;
}

describe("bulk query selections", () => {
  it.each([
    [11, 120, "BRL"],
    [5, 60, "JPY"],
  ] as const)(
    "lose nothing the normaliser reads (seed %i, %i customers, %s)",
    async (seed, customers, currency) => {
      const store = createGraphqlStore({
        seed,
        customers,
        shopDomain: "selection.myshopify.com",
        currency,
      });
      for (const root of Object.keys(BULK_QUERIES) as BulkQueryName[]) {
        const full = [...store.bulkLines(root)];
        const selection = bulkSelection(BULK_QUERIES[root]);
        const projected = full.map((line) => selection.project(line));
        expect(projected).toHaveLength(full.length);
        const expected = await normalised(full, currency);
        expect(expected.length).toBeGreaterThan(0);
        // Orders select their customer as `customer { id }` on purpose (the customers query
        // loads customers): the same order, naming the same customer by platform id.
        const expectedShape = expected.map((change) =>
          change.kind === "order.upsert" && change.order.customer
            ? { ...change, order: { ...change.order, customer: null, customerRef: change.order.customer.platformId } }
            : change
        );
        expect(await normalised(projected, currency)).toEqual(expectedShape);
        // Fewer bytes: the renderer writes more than the queries select (presentmentMoney, app …).
        if (root === "orders")
          expect(JSON.stringify(projected).length).toBeLessThan(
            0.9 * JSON.stringify(full).length
          );
      }
    }
  );

  it("cuts a line to the selection: unselected fields dropped, missing ones null, children keep __parentId", () => {
    const selection = bulkSelection(`{
  orders(query: "updated_at:>='2026-01-01'") {
    edges { node { id name totalPriceSet { shopMoney { amount } } paymentDetails { ... on CardPaymentDetails { company } }
      lineItems { edges { node { id quantity } } } } }
  }
}`);
    expect(
      selection.project({
        id: "gid://shopify/Order/1",
        name: "#1",
        extra: 1,
        totalPriceSet: {
          shopMoney: { amount: "1.0", currencyCode: "BRL" },
          presentmentMoney: { amount: "1.0" },
        },
      })
    ).toEqual({
      id: "gid://shopify/Order/1",
      name: "#1",
      totalPriceSet: { shopMoney: { amount: "1.0" } },
      paymentDetails: null,
    });
    expect(
      selection.project({
        id: "gid://shopify/Order/2",
        paymentDetails: { company: "Visa", bin: "4" },
      })
    ).toMatchObject({ paymentDetails: { company: "Visa" } });
    expect(
      selection.project({
        id: "gid://shopify/LineItem/3",
        quantity: 2,
        sku: "X",
        __parentId: "gid://shopify/Order/1",
      })
    ).toEqual({
      id: "gid://shopify/LineItem/3",
      quantity: 2,
      __parentId: "gid://shopify/Order/1",
    });
    expect(() =>
      selection.project({
        id: "gid://shopify/MailingAddress/4",
        __parentId: "gid://shopify/Order/1",
      })
    ).toThrow(/no selected connection/);
  });

  it("accepts the reconciliation form of every query", () => {
    for (const root of Object.keys(BULK_QUERIES) as BulkQueryName[]) {
      expect(() =>
        bulkSelection(
          bulkQueryWithSearch(root, "updated_at:>='2026-11-01T00:00:00Z'")
        )
      ).not.toThrow();
    }
  });
});
