// The segment filter schema: what is accepted, and that every rejection names the exact path.
import { describe, expect, it } from "vitest";
import { FILTER_LIMITS, MATCH_ALL, conditionsOf, parseSegmentFilter, safeParseSegmentFilter, SegmentFilterError } from "../../app/core/segments/filter.ts";

const and = (...children: unknown[]) => ({ type: "group", op: "and", children });
const cond = (c: Record<string, unknown>) => ({ type: "condition", ...c });

function issues(value: unknown) {
  const r = safeParseSegmentFilter(value);
  if (r.ok) throw new Error("expected the filter to be refused");
  return r.issues;
}

describe("segment filter schema", () => {
  it("accepts a nested filter with every kind of condition", () => {
    const filter = and(
      cond({ field: "city", op: "in", values: ["São Paulo", "Campinas"] }),
      cond({ field: "country", op: "is_set" }),
      cond({ field: "utmCampaign", op: "contains", values: ["black"], inLastDays: 30 }),
      cond({ field: "totalSpent", op: "between", value: 10_000, value2: 50_000 }),
      cond({ field: "age", op: "gte", value: 18 }),
      cond({ field: "lastOrderAt", op: "more_than_days_ago", days: 90 }),
      cond({ field: "firstOrderAt", op: "between", date: "2026-01-01", date2: "2026-01-31" }),
      cond({ field: "rfmSegment", op: "in", values: ["champions", "loyal"] }),
      cond({ field: "churnBand", op: "not_in", values: ["high"] }),
      cond({ field: "cluster", op: "in", values: [0, 2] }),
      cond({ field: "shopifyRfmGroup", op: "in", values: ["CHAMPIONS"] }),
      cond({ field: "birthdayMonth", op: "in", values: [12] }),
      cond({ field: "paymentMethod", values: ["pix"] }),
      cond({ field: "salesChannel", values: ["pos"] }),
      { type: "group", op: "or", not: true, children: [cond({ field: "boughtProduct", productIds: ["123"] }), cond({ field: "boughtCategory", categories: ["Shoes"], inLastDays: 60 })] },
      cond({ field: "viewedProduct", productIds: ["9"], inLastDays: 7 }),
      cond({ field: "abandonedCheckout" }),
      cond({ field: "unpaidPayment", methods: ["boleto"] }),
      cond({ field: "messageOpened", inLastDays: 30 }),
      cond({ field: "messageClicked" }),
      cond({ field: "unsubscribed" }),
      cond({ field: "inSegment", segmentIds: [4] }),
      cond({ field: "tags", op: "all", values: ["vip", "atacado"] }),
      cond({ field: "emailConsent", value: true }),
    );
    const parsed = parseSegmentFilter(filter);
    expect(conditionsOf(parsed)).toHaveLength(25);
    expect(parseSegmentFilter(MATCH_ALL)).toEqual(MATCH_ALL);
  });

  it("names the exact path of a bad value", () => {
    expect(issues(and(cond({ field: "city", op: "in", values: ["ok", ""] })))).toEqual([{ path: "children.0.values.1", message: "must not be empty" }]);
    expect(issues(and(and(cond({ field: "ordersCount", op: "between", value: 5, value2: 2 }))))).toEqual([
      { path: "children.0.children.0.value2", message: "the upper bound must not be below the lower bound" },
    ]);
    expect(issues(and(cond({ field: "ordersCount", op: "gt" })))[0]!.path).toBe("children.0.value");
    expect(issues(and(cond({ field: "ordersCount", op: "gt", value: -1 })))[0]!.path).toBe("children.0.value");
    expect(issues(and(cond({ field: "ordersCount", op: "gt", value: 1.5 })))[0]!.path).toBe("children.0.value");
    expect(issues(and(cond({ field: "pAlive", op: "gt", value: 2 })))[0]!.path).toBe("children.0.value");
    expect(issues(and(cond({ field: "lastOrderAt", op: "in_last_days" })))).toEqual([{ path: "children.0.days", message: 'a number of days is required for "in_last_days"' }]);
    expect(issues(and(cond({ field: "lastOrderAt", op: "before", date: "2026-02-30" })))[0]!.path).toBe("children.0.date");
    expect(issues(and(cond({ field: "firstOrderAt", op: "between", date: "2026-02-01", date2: "2026-01-01" })))[0]!.path).toBe("children.0.date2");
    expect(issues(and(cond({ field: "rfmSegment", op: "in", values: ["champions", "kings"] })))[0]!.path).toBe("children.0.values.1");
    expect(issues(and(cond({ field: "nope", op: "in" })))[0]!.path).toBe("children.0.field");
    expect(issues(and({ type: "grup", op: "and", children: [] }))[0]!.path).toBe("children.0.type");
    expect(issues(and(cond({ field: "city", op: "in", values: ["x"], extra: 1 })))[0]!.path).toBe("children.0");
    expect(issues(and(cond({ field: "city", op: "in" })))[0]!.path).toBe("children.0.values");
    expect(issues({ type: "group", op: "xor", children: [] })[0]!.path).toBe("op");
    expect(issues([])[0]!.path).toBe("type");
    expect(issues(and(cond({ field: "tags", op: "any", values: [] })))[0]!.path).toBe("children.0.values");
  });

  it("enforces the limits: depth, number of conditions, children, list sizes, value length", () => {
    const nest = (groups: number) => {
      let node: unknown = cond({ field: "unsubscribed" });
      for (let i = 0; i < groups; i++) node = and(node);
      return node;
    };
    expect(safeParseSegmentFilter(nest(FILTER_LIMITS.maxDepth)).ok).toBe(true);
    expect(issues(nest(FILTER_LIMITS.maxDepth + 1))[0]).toEqual({ path: "children.0.children.0.children.0.children.0.children.0", message: `groups can be nested at most ${FILTER_LIMITS.maxDepth} deep` });

    const many = Array.from({ length: 26 }, () => cond({ field: "emailConsent", value: true }));
    const tooMany = and(and(...many), and(...many));
    expect(issues(tooMany)[0]!.message).toMatch(/at most 50 conditions/);
    expect(issues(and(...Array.from({ length: FILTER_LIMITS.maxChildren + 1 }, () => cond({ field: "unsubscribed" }))))[0]!.path).toBe("children");
    expect(issues(and(cond({ field: "boughtProduct", productIds: Array.from({ length: 201 }, (_, i) => String(i)) })))[0]!.path).toBe("children.0.productIds");
    expect(issues(and(cond({ field: "city", op: "in", values: ["x".repeat(201)] })))[0]!.path).toBe("children.0.values.0");
    expect(issues(and(cond({ field: "lastOrderAt", op: "in_last_days", days: 100_000 })))[0]!.path).toBe("children.0.days");
  });

  it("throws a SegmentFilterError whose message lists the paths", () => {
    expect(() => parseSegmentFilter(and(cond({ field: "age", op: "lt", value: 200 })))).toThrow(SegmentFilterError);
    expect(() => parseSegmentFilter(and(cond({ field: "age", op: "lt", value: 200 })))).toThrow(/children\.0\.value:/);
  });

  it("keeps hostile text as plain data (it is only ever a bind parameter)", () => {
    const filter = parseSegmentFilter(and(cond({ field: "city", op: "in", values: ["'; DROP TABLE \"Customer\"; --"] })));
    expect(filter.children[0]).toMatchObject({ values: ["'; DROP TABLE \"Customer\"; --"] });
  });
});
