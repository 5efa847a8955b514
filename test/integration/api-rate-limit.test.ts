// The REST API rate limit is shared by every web process: two separate connection pools (as two
// app processes would have) hammering one token at once let exactly the burst through, a token of
// another store keeps its own bucket, and the bucket refills with time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { createTestDatabase, type TestDatabase } from "../support/test-db.ts";
import { createDb, type Db } from "../../app/db/client.server.ts";
import { createApiToken } from "../../app/core/api/tokens.server.ts";
import { takeApiRequest } from "../../app/core/api/rate-limit.server.ts";

let tdb: TestDatabase;
let other: Db;
let storeA: number;
let storeB: number;

beforeAll(async () => {
  tdb = await createTestDatabase();
  other = createDb(tdb.url, { max: 5 });
  storeA = (await tdb.db.store.create({ data: { platform: "shopify", domain: "rate-a.myshopify.com", name: "A" } })).id;
  storeB = (await tdb.db.store.create({ data: { platform: "shopify", domain: "rate-b.myshopify.com", name: "B" } })).id;
});
afterAll(async () => {
  await other?.$disconnect();
  await tdb?.drop();
});

describe("API rate limit in PostgreSQL", () => {
  it("two pools at once let exactly the burst through, per token and store", async () => {
    const a = await createApiToken(tdb.db, storeA, "a");
    const b = await createApiToken(tdb.db, storeB, "b");
    // A refill of one a minute: nothing worth counting comes back during the test.
    const limit = { perMinute: 1, burst: 30 };
    const principalA = { storeId: storeA, tokenId: a.id };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => takeApiRequest(i % 2 === 0 ? tdb.db : other, principalA, limit)));
    expect(results.filter(Boolean)).toHaveLength(30);
    expect(await takeApiRequest(other, principalA, limit)).toBe(false);
    // Store B's token has its own full bucket.
    const principalB = { storeId: storeB, tokenId: b.id };
    const resultsB = await Promise.all(Array.from({ length: 10 }, () => takeApiRequest(other, principalB, limit)));
    expect(resultsB.every(Boolean)).toBe(true);
  });

  it("refills with time, never above the burst, and goes with its token", async () => {
    const t = await createApiToken(tdb.db, storeA, "refill");
    const principal = { storeId: storeA, tokenId: t.id };
    const limit = { perMinute: 60, burst: 3 };
    for (let i = 0; i < 3; i++) expect(await takeApiRequest(tdb.db, principal, limit)).toBe(true);
    expect(await takeApiRequest(other, principal, limit)).toBe(false);
    // Pretend the last request was 2 s ago: 2 tokens back at 60 a minute.
    await tdb.db.$executeRaw(Prisma.sql`UPDATE "ApiRateBucket" SET "updatedAt" = "updatedAt" - interval '2 seconds' WHERE "storeId" = ${storeA} AND "tokenId" = ${t.id}`);
    expect(await takeApiRequest(other, principal, limit)).toBe(true);
    expect(await takeApiRequest(tdb.db, principal, limit)).toBe(true);
    expect(await takeApiRequest(tdb.db, principal, limit)).toBe(false);
    // An hour idle fills it to the burst, not beyond.
    await tdb.db.$executeRaw(Prisma.sql`UPDATE "ApiRateBucket" SET "updatedAt" = "updatedAt" - interval '1 hour' WHERE "storeId" = ${storeA} AND "tokenId" = ${t.id}`);
    const after = await Promise.all(Array.from({ length: 5 }, () => takeApiRequest(other, principal, limit)));
    expect(after.filter(Boolean)).toHaveLength(3);
    await tdb.db.apiToken.delete({ where: { storeId_id: { storeId: storeA, id: t.id } } });
    expect(await tdb.db.apiRateBucket.count({ where: { storeId: storeA, tokenId: t.id } })).toBe(0);
  });
});
