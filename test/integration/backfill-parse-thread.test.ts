// The backfill parses, normalises and encodes bulk files in a worker thread
// (app/core/sync/bulk-parse-thread.server.ts). It must leave exactly what the in-thread path
// leaves (same rows, Shopify statistics, counts), keep file order across chunk boundaries, and
// report a bad line with its number, after loading nothing it should not have.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { BulkJsonlError, readBulkJsonl } from "../../adapters/shopify/bulk-operations.server.ts";
import { normalizeBulkRecord } from "../../adapters/shopify/normalize-graphql.ts";
import { encodeChange } from "../../app/core/ingest/bulk-load.server.ts";
import { createGraphqlStore, type GraphqlBulkRoot } from "../../adapters/shopify/simulator/render-graphql.ts";
import { canParseInThread, parseBulkInThread } from "../../app/core/sync/bulk-parse-thread.server.ts";
import { loadBulkResult } from "../../app/jobs/shopify-backfill.server.ts";
import { startTestServices, type TestServices } from "../support/test-services.ts";

let services: TestServices;
const graphqlStore = createGraphqlStore({ seed: 11, customers: 120, shopDomain: "parse-thread.myshopify.com" });

function jsonlOf(root: GraphqlBulkRoot): string {
  return [...graphqlStore.bulkLines(root)].map((line) => JSON.stringify(line)).join("\n") + "\n";
}
const files = { products: jsonlOf("products"), customers: jsonlOf("customers"), orders: jsonlOf("orders") };

/** The text as a byte stream in small pieces, lines and characters split across them. */
function bytes(text: string, piece = 997): ReadableStream<Uint8Array> {
  const all = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= all.length) return controller.close();
      controller.enqueue(all.slice(at, at + piece));
      at += piece;
    },
  });
}

async function newStore(name: string): Promise<number> {
  const store = await services.db.store.create({ data: { platform: "shopify", domain: `${name}.myshopify.com`, name, currency: "BRL" } });
  return store.id;
}

async function rows(storeId: number): Promise<unknown[]> {
  const own = Prisma.raw(`- 'storeId' - 'id' - 'createdAt' - 'updatedAt'`);
  const found = await services.db.$queryRaw<{ r: unknown }[]>(Prisma.sql`
    SELECT r FROM (
      SELECT 'c' AS k, c."platformId" AS p, to_jsonb(c) ${own} AS r FROM "Customer" c WHERE c."storeId" = ${storeId}
      UNION ALL SELECT 'o', o."platformId", to_jsonb(o) ${own} - 'customerId' FROM "Order" o WHERE o."storeId" = ${storeId}
      UNION ALL SELECT 'p', p."platformId", to_jsonb(p) ${own} FROM "Product" p WHERE p."storeId" = ${storeId}
      UNION ALL SELECT 's', c."platformId", jsonb_build_object('rfm', s."shopifyRfmGroup", 'tier', s."shopifyPredictedSpendTier", 'orders', s."ordersCount")
        FROM "CustomerStats" s JOIN "Customer" c ON c."storeId" = s."storeId" AND c.id = s."customerId" WHERE s."storeId" = ${storeId}
    ) x ORDER BY k, p`);
  return found.map((row) => row.r);
}

beforeAll(async () => {
  services = await startTestServices();
});
afterAll(async () => services?.cleanup());

describe("bulk parse thread", () => {
  it("is available when running from source", () => {
    expect(canParseInThread()).toBe(true);
  });

  it("loads exactly what the in-thread path loads, statistics included", async () => {
    const [inThread, viaThread] = [await newStore("in-thread"), await newStore("via-thread")];
    for (const [storeId, parseInThread] of [[inThread, false], [viaThread, true]] as const) {
      for (const root of ["products", "customers", "orders"] as const) {
        // Small chunks: many transactions, so order across chunk boundaries matters.
        await loadBulkResult(services, storeId, bytes(files[root]), { shopCurrency: "BRL", chunkSize: 37, parseInThread });
      }
    }
    const expected = await rows(inThread);
    expect(expected.length).toBeGreaterThan(graphqlStore.plan.orders.length);
    expect(await rows(viaThread)).toEqual(expected);
  });

  it("leaves out an embedded customer identical to the last copy sent for it, and only then", async () => {
    // Shopify embeds the customer's current state in every order: the same text again and again.
    const lines = jsonlOf("orders").trimEnd().split("\n");
    const customers = new Map<string, unknown>();
    for (const line of jsonlOf("customers").trimEnd().split("\n")) {
      const node = JSON.parse(line) as { id: string; __parentId?: string };
      if (node.__parentId === undefined) customers.set(node.id, node);
    }
    const current = lines.map((line) => {
      const node = JSON.parse(line) as { customer?: { id: string } | null; __parentId?: string };
      return node.__parentId === undefined && node.customer && customers.has(node.customer.id) ? JSON.stringify({ ...node, customer: customers.get(node.customer.id) }) : line;
    });
    // What each order's embedded customer encodes to (the same code, on this thread), in file order.
    const embedded: (string | null)[] = [];
    for await (const record of readBulkJsonl(bytes(current.join("\n") + "\n"))) {
      const change = encodeChange(normalizeBulkRecord(record, { shopCurrency: "BRL" }));
      if (change.kind === "order") embedded.push(change.customer?.text ?? null);
    }
    const lastSent = new Map<string, string>();
    let left = 0;
    let sent = 0;
    let at = 0;
    for await (const items of parseBulkInThread(bytes(current.join("\n") + "\n"), "BRL")) {
      for (const { change } of items) {
        if (change.kind !== "order") continue;
        const full = embedded[at++];
        const customerPid = change.text.slice(0, change.text.indexOf("\t"));
        if (customerPid === "\\N") continue;
        if (change.customer) {
          expect(change.customer.text).toBe(full);
          expect(lastSent.get(customerPid)).not.toBe(full);
          lastSent.set(customerPid, change.customer.text);
          sent++;
        } else {
          // Left out only when identical to the copy sent last for that customer.
          expect(lastSent.get(customerPid)).toBe(full);
          left++;
        }
      }
    }
    expect(at).toBe(embedded.length);
    expect(sent).toBeGreaterThan(0);
    expect(left).toBeGreaterThan(0);
    // And the store ends the same as with every copy applied (the in-thread path sends them all).
    const [inThread, viaThread] = [await newStore("repeat-in-thread"), await newStore("repeat-via-thread")];
    for (const [storeId, parseInThread] of [[inThread, false], [viaThread, true]] as const) {
      await loadBulkResult(services, storeId, bytes(files.products), { shopCurrency: "BRL", chunkSize: 37, parseInThread });
      await loadBulkResult(services, storeId, bytes(current.join("\n") + "\n"), { shopCurrency: "BRL", chunkSize: 37, parseInThread });
      // Then the orders as placed: the customers' copies differ from order to order.
      await loadBulkResult(services, storeId, bytes(files.orders), { shopCurrency: "BRL", chunkSize: 37, parseInThread });
    }
    expect(await rows(viaThread)).toEqual(await rows(inThread));
  });

  it("yields records in file order, and a bad line fails with its number after the records before it", async () => {
    const lines = jsonlOf("customers").trimEnd().split("\n");
    const good = lines.filter((line) => !line.includes("__parentId")).length;
    const seen: string[] = [];
    const broken = [...lines, "{not json", ...lines].join("\n");
    let error: unknown = null;
    try {
      for await (const items of parseBulkInThread(bytes(broken, 4096), "BRL")) for (const item of items) seen.push(item.change.platformId);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BulkJsonlError);
    expect((error as BulkJsonlError).line).toBe(lines.length + 1);
    expect((error as Error).message).toMatch(new RegExp(`^bulk JSONL line ${lines.length + 1}: not valid JSON`));
    // Every customer before the bad line, in file order (the last one is complete only when the next top-level line starts).
    const inFile = lines.filter((line) => !line.includes("__parentId")).map((line) => String((JSON.parse(line) as { id: string }).id).split("/").pop());
    expect(seen.length).toBeGreaterThanOrEqual(good - 1);
    expect(seen).toEqual(inFile.slice(0, seen.length));
  });

  it("parses ahead of a consumer that waits, up to aheadRecords and no further", async () => {
    // 30,000 customers (the template's, with new ids): far more than either bound below.
    const roots = jsonlOf("customers").trimEnd().split("\n").filter((line) => !line.includes("__parentId"));
    const many = Array.from({ length: 30_000 }, (_, i) => roots[i % roots.length]!.replace(/gid:\/\/shopify\/Customer\/\d+/, `gid://shopify/Customer/${900_000 + i}`));
    const text = many.join("\n") + "\n";
    const lineBytes = new TextEncoder().encode(text).length / many.length;
    /** Records the thread has been handed the bytes of, once the consumer took one batch and then stalled. */
    const readAhead = async (aheadRecords: number): Promise<number> => {
      const all = new TextEncoder().encode(text);
      let at = 0;
      const source = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= all.length) return controller.close();
          controller.enqueue(all.slice(at, at + 16_384));
          at += 16_384;
        },
      });
      const batches = parseBulkInThread(source, "BRL", undefined, aheadRecords);
      const first = await batches.next();
      expect(first.done).toBe(false);
      // The consumer is busy (a merge): the thread keeps parsing until it is aheadRecords ahead.
      let before = -1;
      for (let i = 0; i < 100 && at !== before; i++) {
        before = at;
        await new Promise((r) => setTimeout(r, 150));
      }
      const records = Math.min(at, all.length) / lineBytes;
      await batches.return(undefined);
      return records;
    };
    const small = await readAhead(1000);
    const chunk = await readAhead(10_000);
    // Batches of 200: the taken one and 1000 / 200 = 5 unacknowledged ones, plus a read piece or two.
    expect(small).toBeGreaterThan(1000);
    expect(small).toBeLessThan(1200 + 200 + (2 * 16_384) / lineBytes);
    expect(chunk).toBeGreaterThan(10_000);
    expect(chunk).toBeLessThan(10_200 + 200 + (2 * 16_384) / lineBytes);
  });

  it("a bad record fails the load with the normaliser's message, naming the object", async () => {
    const storeId = await newStore("bad-record");
    const line = JSON.stringify({ id: "gid://shopify/Customer/not-a-number", tags: [] });
    await expect(loadBulkResult(services, storeId, bytes(line + "\n"), { shopCurrency: "BRL", parseInThread: true })).rejects.toThrow(/Customer\/not-a-number/);
  });
});
