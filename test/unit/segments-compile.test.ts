// The compiler's SQL and bind parameters for every operator (the integration test runs them on a
// real database against fixture customers). Values must only ever appear as parameters.
import { describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { compileNode, disjointParts, escapeLike, isStatsDriven, readsNoStats, segmentCountQuery, segmentFromWhere, segmentMembersQuery, type SegmentContext } from "../../app/core/segments/compile.server.ts";
import { parseSegmentFilter, type Condition, type FilterNode } from "../../app/core/segments/filter.ts";

const ctx: SegmentContext = { storeId: 7, timezone: "America/Sao_Paulo", now: new Date("2026-06-15T12:00:00Z") };
const squash = (s: string) => s.replace(/\s+/g, " ").trim();

function compile(c: Record<string, unknown>) {
  const filter = parseSegmentFilter({ type: "group", op: "and", children: [{ type: "condition", ...c }] });
  const sql = compileNode(filter.children[0] as Condition, ctx);
  return { text: squash(sql.text), values: sql.values };
}

describe("segment compiler: text", () => {
  it("compares customer text without case, as parameters", () => {
    expect(compile({ field: "city", op: "in", values: ["São Paulo", "RIO"] })).toEqual({ text: 'lower(c."city") = ANY($1::text[])', values: [["são paulo", "rio"]] });
    expect(compile({ field: "province", op: "not_in", values: ["SP"] })).toEqual({ text: '(c."province" IS NULL OR lower(c."province") <> ALL($1::text[]))', values: [["sp"]] });
    expect(compile({ field: "email", op: "contains", values: ["gmail", "uol"] })).toEqual({ text: '(lower(c."email") LIKE $1 OR lower(c."email") LIKE $2)', values: ["%gmail%", "%uol%"] });
    expect(compile({ field: "zip", op: "starts_with", values: ["01"] })).toEqual({ text: 'lower(c."zip") LIKE $1', values: ["01%"] });
    expect(compile({ field: "gender", op: "is_set" }).text).toBe('(c."gender" IS NOT NULL AND c."gender" <> \'\')');
    expect(compile({ field: "country", op: "is_not_set" }).text).toBe('(c."country" IS NULL OR c."country" = \'\')');
  });

  it("escapes LIKE wildcards so % and _ match literally", () => {
    expect(escapeLike("50%_off\\")).toBe("50\\%\\_off\\\\");
    expect(compile({ field: "city", op: "contains", values: ["a%b_c"] }).values).toEqual(["%a\\%b\\_c%"]);
  });

  it("keeps injection attempts in parameters, never in the SQL text", () => {
    const attack = "x'); DROP TABLE \"Customer\"; --";
    for (const c of [
      { field: "city", op: "in", values: [attack] },
      { field: "utmCampaign", op: "contains", values: [attack] },
      { field: "tags", op: "any", values: [attack] },
      { field: "boughtProduct", productIds: [attack] },
      { field: "shopifyRfmGroup", op: "in", values: [attack] },
    ]) {
      const { text, values } = compile(c);
      expect(text).not.toContain("DROP");
      expect(JSON.stringify(values).toUpperCase()).toContain("DROP TABLE");
    }
  });

  it("reads order attribution from the customer's orders (not deleted, not test), optionally recent", () => {
    const { text, values } = compile({ field: "utmSource", op: "in", values: ["Google"], inLastDays: 30 });
    expect(text).toBe(
      'EXISTS (SELECT 1 FROM "Order" o WHERE o."storeId" = $1 AND o."customerId" = c.id AND o."deletedAt" IS NULL AND NOT o.test AND lower(o."utmSource") = ANY($2::text[]) AND o."placedAt" >= ($3::timestamptz AT TIME ZONE \'UTC\'))',
    );
    expect(values).toEqual([7, ["google"], "2026-05-16T12:00:00.000Z"]);
  });
});

describe("segment compiler: numbers and dates", () => {
  it("uses a strict predicate unless 0 matches, then also names customers without stats", () => {
    expect(compile({ field: "ordersCount", op: "gte", value: 3 })).toEqual({ text: 's."ordersCount" >= $1::int', values: [3] });
    expect(compile({ field: "ordersCount", op: "lt", value: 2 })).toEqual({ text: '(s."ordersCount" < $1::int OR s."customerId" IS NULL)', values: [2] });
    expect(compile({ field: "totalSpent", op: "between", value: 0, value2: 5000 })).toEqual({ text: '(s."revenueMinor" BETWEEN $1::bigint AND $2::bigint OR s."customerId" IS NULL)', values: [0, 5000] });
    expect(compile({ field: "avgTicket", op: "eq", value: 100 }).text).toBe('s."avgOrderMinor" = $1::bigint');
    expect(compile({ field: "avgTicket", op: "neq", value: 100 }).text).toBe('(s."avgOrderMinor" <> $1::bigint OR s."customerId" IS NULL)');
    expect(compile({ field: "predictedClv", op: "gt", value: 1 }).text).toBe('s."predictedClvMinor" > $1::bigint');
    expect(compile({ field: "pAlive", op: "lte", value: 0.2 })).toEqual({ text: 's."pAlive" <= $1::float8', values: [0.2] });
    expect(compile({ field: "churnRisk", op: "is_not_set" }).text).toBe('s."churnRisk" IS NULL');
    expect(compile({ field: "rScore", op: "eq", value: 5 }).text).toBe('s."rScore" = $1::int');
    expect(compile({ field: "fScore", op: "is_set" }).text).toBe('s."fScore" IS NOT NULL');
    expect(compile({ field: "mScore", op: "lt", value: 3 }).text).toBe('s."mScore" < $1::int');
    expect(compile({ field: "ordersCount", op: "is_set" }).text).toBe("TRUE");
  });

  it("turns an age band into a range of birth dates from the store's today", () => {
    expect(compile({ field: "age", op: "between", value: 25, value2: 34 })).toEqual({
      text: '(c."birthDate" IS NOT NULL AND c."birthDate" <= (sc.today - make_interval(years => $1::int))::date AND c."birthDate" > (sc.today - make_interval(years => $2::int))::date)',
      values: [25, 35],
    });
    expect(compile({ field: "age", op: "lt", value: 18 }).values).toEqual([18]);
    expect(compile({ field: "age", op: "neq", value: 30 }).text).toMatch(/IS NOT TRUE\)$/);
    const where = segmentFromWhere(parseSegmentFilter({ type: "group", op: "and", children: [{ type: "condition", field: "age", op: "gt", value: 60 }] }), ctx);
    expect(squash(where.text)).toContain("CROSS JOIN (SELECT (($1::timestamptz) AT TIME ZONE $2)::date AS today) sc");
    expect(where.values.slice(0, 2)).toEqual(["2026-06-15T12:00:00.000Z", "America/Sao_Paulo"]);
  });

  it("reads days in the store's time zone and relative dates from now", () => {
    expect(compile({ field: "lastOrderAt", op: "before", date: "2026-01-01" })).toEqual({ text: 's."lastOrderAt" < (($1::timestamp AT TIME ZONE $2) AT TIME ZONE \'UTC\')', values: ["2026-01-01", "America/Sao_Paulo"] });
    expect(compile({ field: "firstOrderAt", op: "from", date: "2026-03-01" }).text).toBe('s."firstOrderAt" >= (($1::timestamp AT TIME ZONE $2) AT TIME ZONE \'UTC\')');
    expect(compile({ field: "firstOrderAt", op: "between", date: "2026-03-01", date2: "2026-03-31" }).values).toEqual(["2026-03-01", "America/Sao_Paulo", "2026-03-31", "America/Sao_Paulo"]);
    expect(compile({ field: "lastOrderAt", op: "in_last_days", days: 30 })).toEqual({ text: 's."lastOrderAt" >= ($1::timestamptz AT TIME ZONE \'UTC\')', values: ["2026-05-16T12:00:00.000Z"] });
    expect(compile({ field: "lastOrderAt", op: "more_than_days_ago", days: 1 }).text).toBe('s."lastOrderAt" < ($1::timestamptz AT TIME ZONE \'UTC\')');
    expect(compile({ field: "customerSince", op: "is_set" }).text).toBe('coalesce(c."platformCreatedAt", c."createdAt") IS NOT NULL');
    expect(compile({ field: "lastOrderAt", op: "is_not_set" }).text).toBe('s."lastOrderAt" IS NULL');
  });
});

describe("segment compiler: scores, behaviour, actions, tags, consent", () => {
  it("compiles categorical fields; not_in keeps the unscored", () => {
    expect(compile({ field: "rfmSegment", op: "in", values: ["champions"] })).toEqual({ text: 's."rfmSegment" = ANY($1::text[])', values: [["champions"]] });
    expect(compile({ field: "rfmSegment", op: "not_in", values: ["lost"] }).text).toBe('(s."rfmSegment" IS NULL OR s."rfmSegment" <> ALL($1::text[]))');
    expect(compile({ field: "cluster", op: "in", values: [1, 2] })).toEqual({ text: "s.cluster = ANY($1::int[])", values: [[1, 2]] });
    expect(compile({ field: "shopifyRfmGroup", op: "in", values: ["CHAMPIONS"] }).values).toEqual([["champions"]]);
    expect(compile({ field: "birthdayMonth", op: "in", values: [3] }).text).toBe('(c."birthDate" IS NOT NULL AND extract(month FROM c."birthDate")::int = ANY($1::int[]))');
    expect(compile({ field: "churnBand", op: "in", values: ["low", "high"] }).text).toBe('(s."churnRisk" < 0.33 OR s."churnRisk" > 0.66)');
    expect(compile({ field: "churnBand", op: "not_in", values: ["medium"] }).text).toBe('((s."churnRisk" >= 0.33 AND s."churnRisk" <= 0.66)) IS NOT TRUE');
    expect(compile({ field: "salesChannel", values: ["pos", "web"] })).toEqual({ text: 'jsonb_exists_any(s."channelMix", $1::text[])', values: [["pos", "web"]] });
  });

  it("reads counted orders for payment method and products bought", () => {
    const pay = compile({ field: "paymentMethod", values: ["pix"], inLastDays: 10 });
    expect(pay.text).toMatch(/^EXISTS \(SELECT 1 FROM "Order" o WHERE o."storeId" = \$1 AND o."cancelledAt" IS NULL .* AND o."paymentMethod" = ANY\(\$2::"PaymentMethod"\[\]\) AND o."placedAt" >= \(\$3::timestamptz AT TIME ZONE 'UTC'\) AND o."customerId" = c.id\)$/);
    expect(pay.values).toEqual([7, ["pix"], "2026-06-05T12:00:00.000Z"]);
    const bought = compile({ field: "boughtProduct", productIds: ["p1", "p2"] });
    expect(bought.text).toContain('l."productId" = ANY($3::text[])');
    expect(bought.values).toEqual([7, 7, ["p1", "p2"]]);
    expect(compile({ field: "boughtCategory", categories: ["Shoes"] }).text).toContain("lower(l.category) = ANY($3::text[])");
  });

  it("compiles actions against their tables, pinned to the store", () => {
    expect(compile({ field: "viewedProduct", productIds: ["9"] })).toEqual({
      text: 'EXISTS (SELECT 1 FROM "Event" e WHERE e."storeId" = $1 AND e."customerId" = c.id AND e.type = $2 AND e.data->>\'productId\' = ANY($3::text[]))',
      values: [7, "storefront.product_viewed", ["9"]],
    });
    const abandoned = compile({ field: "abandonedCheckout", inLastDays: 7 });
    expect(abandoned.text).toContain('k."completedAt" IS NULL');
    expect(abandoned.values).toEqual([7, "2026-06-15T11:00:00.000Z", "2026-06-08T12:00:00.000Z"]);
    const unpaid = compile({ field: "unpaidPayment" });
    expect(unpaid.text).toContain("p.status = 'pending'");
    expect(unpaid.values).toEqual([7, 7, ["boleto", "pix"], "2026-06-15T12:00:00.000Z"]);
    expect(compile({ field: "messageOpened" }).text).toBe('EXISTS (SELECT 1 FROM "Message" m WHERE m."storeId" = $1 AND m."openedAt" IS NOT NULL AND m."customerId" = c.id)');
    expect(compile({ field: "messageClicked", inLastDays: 5 }).text).toContain('m."clickedAt" >= ');
    expect(compile({ field: "unsubscribed" }).text).toContain('OR (NOT c."acceptsEmailMarketing" AND c."consentUpdatedAt" IS NOT NULL)');
    expect(compile({ field: "inSegment", segmentIds: [3] })).toEqual({
      text: 'EXISTS (SELECT 1 FROM "SegmentMember" m WHERE m."storeId" = $1 AND m."customerId" = c.id AND m."segmentId" = ANY($2::int[]))',
      values: [7, [3]],
    });
  });

  it("compiles tags (any / all / none, without case) and consent", () => {
    // Read from "CustomerTag" (lower-cased by its triggers): the values are lower-cased and deduplicated.
    const tagged = 'SELECT t."customerId" FROM "CustomerTag" t WHERE t."storeId" = $1 AND t.tag = ANY($2::text[])';
    expect(compile({ field: "tags", op: "any", values: ["VIP"] })).toEqual({ text: `c.id IN (${tagged})`, values: [7, ["vip"]] });
    expect(compile({ field: "tags", op: "none", values: ["vip"] }).text).toBe(`NOT (c.id IN (${tagged}))`);
    expect(compile({ field: "tags", op: "all", values: ["VIP", "vip", "b"] })).toEqual({
      text: `c.id IN (${tagged} GROUP BY t."customerId" HAVING count(*) = $3::int)`,
      values: [7, ["vip", "b"], 2],
    });
    expect(compile({ field: "emailConsent", value: true })).toEqual({ text: 'c."acceptsEmailMarketing" = $1', values: [true] });
    expect(compile({ field: "smsConsent", value: false })).toEqual({ text: 'c."acceptsSmsMarketing" = $1', values: [false] });
  });
});

describe("segment compiler: groups", () => {
  it("nests AND / OR and negates with IS NOT TRUE", () => {
    const filter = parseSegmentFilter({
      type: "group",
      op: "and",
      children: [
        { type: "condition", field: "emailConsent", value: true },
        { type: "group", op: "or", not: true, children: [{ type: "condition", field: "rScore", op: "eq", value: 1 }, { type: "condition", field: "fScore", op: "eq", value: 1 }] },
      ],
    });
    const sql = compileNode(filter, ctx);
    expect(squash(sql.text)).toBe('(c."acceptsEmailMarketing" = $1 AND ((s."rScore" = $2::int OR s."fScore" = $3::int)) IS NOT TRUE)');
    expect(sql.values).toEqual([true, 1, 1]);
  });

  it("an empty AND matches all, an empty OR none; the scope always has the store and excludes erased", () => {
    expect(compileNode({ type: "group", op: "and", children: [] }, ctx).text).toBe("TRUE");
    expect(compileNode({ type: "group", op: "or", children: [] }, ctx).text).toBe("FALSE");
    const where = segmentFromWhere({ type: "group", op: "and", children: [] }, ctx);
    expect(squash(where.text)).toBe('FROM "Customer" c LEFT JOIN "CustomerStats" s ON s."storeId" = c."storeId" AND s."customerId" = c.id WHERE c."storeId" = $1 AND c."erasedAt" IS NULL AND TRUE');
    expect(where.values).toEqual([7]);
  });
});

describe("segment compiler: choice of driving table", () => {
  const f = (...children: Record<string, unknown>[]) => parseSegmentFilter({ type: "group", op: "and", children: children.map((c) => ({ type: "condition", ...c })) });
  it("reads CustomerStats alone when only stats are filtered and a customer without stats cannot match", () => {
    expect(isStatsDriven(f({ field: "rfmSegment", op: "in", values: ["champions"] }))).toBe(true);
    expect(isStatsDriven(f({ field: "totalSpent", op: "gte", value: 1 }, { field: "lastOrderAt", op: "more_than_days_ago", days: 90 }))).toBe(true);
    const sql = segmentCountQuery(f({ field: "cluster", op: "in", values: [1] }), ctx);
    expect(squash(sql.text)).toBe(
      'SELECT count(*)::int AS n FROM "CustomerStats" s WHERE s."storeId" = $1 AND s.cluster = ANY($2::int[]) AND NOT EXISTS (SELECT 1 FROM "Customer" e WHERE e."storeId" = $3 AND e."erasedAt" IS NOT NULL AND e.id = s."customerId")',
    );
  });
  it("keeps Customer as the driver when customers without stats may match, or customer fields are read", () => {
    expect(isStatsDriven(f({ field: "ordersCount", op: "lt", value: 2 }))).toBe(false); // 0 orders matches
    expect(isStatsDriven(f({ field: "rfmSegment", op: "not_in", values: ["lost"] }))).toBe(false); // unscored match
    expect(isStatsDriven(f({ field: "lastOrderAt", op: "is_not_set" }))).toBe(false);
    expect(isStatsDriven(parseSegmentFilter({ type: "group", op: "and", not: true, children: [{ type: "condition", field: "rScore", op: "eq", value: 1 }] }))).toBe(false);
    expect(isStatsDriven(f({ field: "rScore", op: "eq", value: 1 }, { field: "city", op: "in", values: ["x"] }))).toBe(false);
    expect(isStatsDriven(f())).toBe(false);
    expect(squash(segmentCountQuery(f(), ctx).text)).toBe(
      'SELECT ((SELECT count(*) FROM "Customer" WHERE "storeId" = $1) - (SELECT count(*) FROM "Customer" WHERE "storeId" = $2 AND "erasedAt" IS NOT NULL))::int AS n',
    );
    expect(squash(segmentCountQuery(f({ field: "ordersCount", op: "lt", value: 2 }), ctx).text)).toMatch(/^SELECT count\(\*\)::int AS n FROM "Customer" c LEFT JOIN "CustomerStats" s/);
  });
  it("also reads CustomerStats alone with tag tests, which then look up s.\"customerId\"", () => {
    const not = (c: Record<string, unknown>) => ({ type: "group", op: "and", not: true, children: [{ type: "condition", ...c }] });
    const churnNotVip = parseSegmentFilter({ type: "group", op: "and", children: [{ type: "condition", field: "churnBand", op: "in", values: ["high"] }, not({ field: "tags", op: "any", values: ["VIP"] })] });
    expect(isStatsDriven(churnNotVip)).toBe(true);
    expect(squash(segmentCountQuery(churnNotVip, ctx).text)).toContain('AND NOT (s."customerId" IN (SELECT t."customerId" FROM "CustomerTag" t');
    // A tag alone, or a tag OR a stats test, can match a customer without stats.
    expect(isStatsDriven(f({ field: "tags", op: "any", values: ["vip"] }))).toBe(false);
    expect(isStatsDriven(parseSegmentFilter({ type: "group", op: "or", children: [{ type: "condition", field: "churnBand", op: "in", values: ["high"] }, { type: "condition", field: "tags", op: "any", values: ["vip"] }] }))).toBe(false);
    // NOT over a tag test is a plain NOT (never NULL); over a comparison it stays IS NOT TRUE.
    expect(squash(compileNode(not({ field: "rScore", op: "eq", value: 1 }) as FilterNode, ctx).text)).toMatch(/IS NOT TRUE$/);
  });
  it("counts an OR of index ranges as disjoint parts: each branch without the earlier ones, then the rest", () => {
    const g = (op: "and" | "or", children: unknown[], not = false) => ({ type: "group", op, not, children });
    const c = (x: Record<string, unknown>) => ({ type: "condition", ...x });
    const high = c({ field: "churnBand", op: "in", values: ["high"] });
    const pAlive = c({ field: "pAlive", op: "lt", value: 0.3 });
    const notVip = g("and", [c({ field: "tags", op: "any", values: ["vip"] })], true);
    const filter = parseSegmentFilter(g("and", [g("or", [high, pAlive]), notVip]));
    const parts = disjointParts(filter)!;
    expect(parts.map((p) => squash(compileNode(p, ctx, Prisma.sql`s."customerId"`).text))).toEqual([
      '(s."churnRisk" > 0.66 AND NOT (s."customerId" IN (SELECT t."customerId" FROM "CustomerTag" t WHERE t."storeId" = $1 AND t.tag = ANY($2::text[]))))',
      '(s."pAlive" < $1::float8 AND (s."churnRisk" > 0.66) IS NOT TRUE AND NOT (s."customerId" IN (SELECT t."customerId" FROM "CustomerTag" t WHERE t."storeId" = $2 AND t.tag = ANY($3::text[]))))',
    ]);
    const sql = squash(segmentCountQuery(filter, ctx).text);
    expect(sql).toMatch(/^SELECT \(\(SELECT count\(\*\) FROM "CustomerStats" s WHERE .*\) \+ \(SELECT count\(\*\) FROM "CustomerStats" s WHERE .*\)\)::int AS n$/);
    // A root OR splits too; three branches exclude both earlier ones.
    const three = disjointParts(parseSegmentFilter(g("or", [high, pAlive, c({ field: "ordersCount", op: "gte", value: 3 })])))!;
    expect(three).toHaveLength(3);
    expect(three[2]!.children).toHaveLength(3);
    // No split: an OR with a branch no index leads (avg ticket), a negated OR, an OR that can match
    // customers without stats (not stats-driven), or no OR at all.
    expect(disjointParts(parseSegmentFilter(g("and", [g("or", [high, c({ field: "avgTicket", op: "gt", value: 5 })])])))).toBeNull();
    expect(disjointParts(parseSegmentFilter(g("and", [g("or", [high, pAlive], true)])))).toBeNull();
    // The RFM segment leads no index of CustomerStats (its members are in CustomerRfmSegment).
    expect(disjointParts(parseSegmentFilter(g("or", [high, c({ field: "rfmSegment", op: "in", values: ["lost"] })])))).toBeNull();
    expect(disjointParts(parseSegmentFilter(g("and", [high, pAlive])))).toBeNull();
    expect(squash(segmentCountQuery(parseSegmentFilter(g("or", [high, c({ field: "ordersCount", op: "lt", value: 2 })])), ctx).text)).toMatch(/^SELECT count\(\*\)::int AS n FROM "Customer" c/);
  });
  it("counts and lists one RFM segment condition alone from CustomerRfmSegment's key, erased left out; anything more from the stats", () => {
    const rfm = f({ field: "rfmSegment", op: "in", values: ["champions", "loyal"] });
    const members = 'FROM "CustomerRfmSegment" g WHERE g."storeId" = $1 AND g.segment = ANY($2::text[]) AND NOT (g."customerId" IN (SELECT e.id FROM "Customer" e WHERE e."storeId" = $3 AND e."erasedAt" IS NOT NULL))';
    expect(squash(segmentCountQuery(rfm, ctx).text)).toBe(`SELECT count(*)::int AS n ${members}`);
    expect(segmentCountQuery(rfm, ctx).values).toEqual([ctx.storeId, ["champions", "loyal"], ctx.storeId]);
    expect(squash(segmentMembersQuery(rfm, ctx).text)).toBe(`SELECT g."customerId" AS "customerId" ${members}`);
    // not_in, or with another condition: the column on CustomerStats (the table mirrors it).
    expect(squash(segmentCountQuery(f({ field: "rfmSegment", op: "not_in", values: ["lost"] }), ctx).text)).not.toContain("CustomerRfmSegment");
    const both = parseSegmentFilter({ type: "group", op: "and", children: [{ type: "condition", field: "rfmSegment", op: "in", values: ["lost"] }, { type: "condition", field: "ordersCount", op: "gte", value: 2 }] });
    expect(squash(segmentCountQuery(both, ctx).text)).toMatch(/^SELECT count\(\*\)::int AS n FROM "CustomerStats" s WHERE .*s\."rfmSegment" = ANY/);
  });
  it("counts one action or one tag test alone from its own rows: distinct customers, erased left out", () => {
    const one = (c: Record<string, unknown>) => squash(segmentCountQuery(f(c), ctx).text);
    expect(one({ field: "messageOpened", inLastDays: 30 })).toBe(
      'SELECT count(DISTINCT m."customerId")::int AS n FROM "Message" m WHERE m."storeId" = $1 AND m."openedAt" IS NOT NULL AND m."openedAt" >= ($2::timestamptz AT TIME ZONE \'UTC\') AND m."customerId" IS NOT NULL AND NOT (m."customerId" IN (SELECT e.id FROM "Customer" e WHERE e."storeId" = $3 AND e."erasedAt" IS NOT NULL))',
    );
    expect(one({ field: "paymentMethod", values: ["boleto"] })).toMatch(/^SELECT count\(DISTINCT o."customerId"\)::int AS n FROM "Order" o WHERE o."storeId" = \$1 AND o."cancelledAt" IS NULL/);
    expect(one({ field: "abandonedCheckout" })).toMatch(/^SELECT count\(DISTINCT k."customerId"\)::int AS n FROM "Checkout" k WHERE k."storeId" = \$1 AND k."completedAt" IS NULL/);
    expect(one({ field: "tags", op: "any", values: ["VIP", "vip"] })).toMatch(/^SELECT count\(DISTINCT t."customerId"\)::int AS n FROM "CustomerTag" t WHERE t."storeId" = \$1 AND t.tag = ANY\(\$2::text\[\]\)/);
    expect(segmentCountQuery(f({ field: "tags", op: "any", values: ["VIP", "vip"] }), ctx).values[1]).toEqual(["vip"]);
    // Not alone, negated, or another tag operator: the usual query.
    expect(one({ field: "tags", op: "none", values: ["vip"] })).toMatch(/^SELECT count\(\*\)::int AS n FROM "Customer" c/);
    expect(squash(segmentCountQuery(f({ field: "messageOpened" }, { field: "city", op: "in", values: ["x"] }), ctx).text)).toMatch(/^SELECT count\(\*\)::int AS n FROM "Customer" c/);
    expect(squash(segmentCountQuery(parseSegmentFilter({ type: "group", op: "and", not: true, children: [{ type: "condition", field: "messageOpened" }] }), ctx).text)).toMatch(/^SELECT count\(\*\)::int AS n FROM "Customer" c/);
  });
  it("leaves the stats join out when no stats are read (so the place index answers alone)", () => {
    expect(readsNoStats(f({ field: "city", op: "in", values: ["x"] }, { field: "emailConsent", value: true }))).toBe(true);
    expect(squash(segmentCountQuery(f({ field: "city", op: "in", values: ["x"] }), ctx).text)).toBe(
      'SELECT count(*)::int AS n FROM "Customer" c WHERE c."storeId" = $1 AND c."erasedAt" IS NULL AND lower(c."city") = ANY($2::text[])',
    );
    expect(readsNoStats(f({ field: "city", op: "in", values: ["x"] }, { field: "rScore", op: "eq", value: 1 }))).toBe(false);
  });
});
