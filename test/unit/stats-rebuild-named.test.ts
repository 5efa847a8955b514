// namedIds: the customers one range of the set-based stats rebuild names (its touched customers and
// those with Shopify statistics in its bounds), merged in Node instead of by a hash aggregate.
import { describe, expect, it } from "vitest";
import { namedIds } from "../../app/core/ingest/bulk-load.server.ts";

/** The definition: the union, within the bounds for Shopify's, sorted, without duplicates. */
const reference = (touched: number[], shopify: number[], lo: number, hi: number) =>
  [...new Set([...touched, ...shopify.filter((id) => id >= lo && id <= hi)])].sort((a, b) => a - b);

describe("namedIds", () => {
  it("merges the two sorted lists within the range's bounds", () => {
    expect(namedIds([3, 5, 9], [1, 2, 3, 4, 9, 10, 12], 2, 10)).toEqual([2, 3, 4, 5, 9, 10]);
    expect(namedIds([], [1, 5, 7], 5, 6)).toEqual([5]);
    expect(namedIds([4, 6], [], 0, 100)).toEqual([4, 6]);
    expect(namedIds([], [], 0, 100)).toEqual([]);
  });

  it("equals the union for random ranges (touched ids always inside their range's bounds)", () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let run = 0; run < 200; run++) {
      const lo = rand(50);
      const hi = lo + rand(100);
      const touched = [...new Set(Array.from({ length: rand(40) }, () => lo + rand(hi - lo + 1)))].sort((a, b) => a - b);
      const shopify = [...new Set(Array.from({ length: rand(80) }, () => rand(200)))].sort((a, b) => a - b);
      expect(namedIds(touched, shopify, lo, hi)).toEqual(reference(touched, shopify, lo, hi));
    }
  });
});
