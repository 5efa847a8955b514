// Unique discount codes for a flow step through the platform: Shopify discountCodeBasicCreate
// against the Admin GraphQL simulator (limited to the customer, one use, percentage), the same
// code asked twice (a retried step) is accepted as already made; the mutation document is valid
// against the 2026-10 schema subset.
import { readFileSync } from "node:fs";
import { buildSchema, parse, validate } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServices, type TestServices } from "../support/test-services.ts";
import { startAdminSimulator, type AdminSimulator } from "../support/shopify-admin-simulator.ts";
import { createPlatformDiscount, discountCodeFor, DISCOUNT_CODE_BASIC_CREATE } from "../../app/jobs/flows-discount.server.ts";

const SHOP = "descontos.myshopify.com";
let s: TestServices;
let sim: AdminSimulator;

beforeAll(async () => {
  sim = await startAdminSimulator({ store: { seed: 7, customers: 5, shopDomain: SHOP }, accessToken: "shpat_discounts" });
  s = await startTestServices({ SHOPIFY_ADMIN_ORIGIN: sim.origin });
  await s.db.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "x", accessToken: "shpat_discounts" } });
});
afterAll(async () => {
  await sim?.close();
  await s?.cleanup();
});

describe("discount codes", () => {
  it("the mutation is valid against the Admin API 2026-10 schema subset", () => {
    const schema = buildSchema(readFileSync(new URL("../fixtures/shopify-admin-2026-10.subset.graphql", import.meta.url), "utf8"));
    expect(validate(schema, parse(DISCOUNT_CODE_BASIC_CREATE)).map((e) => e.message)).toEqual([]);
  });

  it("creates a one-use percentage code for the customer through discountCodeBasicCreate; a retry reuses it", async () => {
    const store = await s.db.store.create({ data: { platform: "shopify", domain: SHOP, name: "Descontos" } });
    const code = discountCodeFor("flow:1:step:3:customer:9:checkout:4");
    expect(code).toMatch(/^CRM-[A-HJ-NP-Z2-9]{8}$/);
    expect(discountCodeFor("flow:1:step:3:customer:9:checkout:4")).toBe(code);
    const req = { code, percent: 10, customerPlatformId: "6001", customerEmail: "ana@example.com", endsAt: new Date("2026-12-01T00:00:00Z"), title: "Carrinho abandonado — ana@example.com" };
    expect(await createPlatformDiscount(s, store, req)).toBe(code);
    expect(await createPlatformDiscount(s, store, req)).toBe(code);
    expect(sim.discounts.size).toBe(1);
    expect(sim.discounts.get(code)!.input).toMatchObject({
      code,
      usageLimit: 1,
      appliesOncePerCustomer: true,
      context: { customers: { add: ["gid://shopify/Customer/6001"] } },
      customerGets: { value: { percentage: 0.1 }, items: { all: true } },
    });
  });
});
