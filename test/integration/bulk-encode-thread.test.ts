// The parse thread (direct bulk encoder, 64 KiB pieces of 1 MiB chunks) against the reference
// path run in this thread, record for record: every EncodedChange it hands over must be
// encodeChange(normalizeBulkRecord(record)), except an embedded customer identical to the last
// copy sent for it, which is left out (null). Orders name their customer by id only, or (every
// other one) embed it. The file carries multi-byte characters (accents,
// emoji) and COPY escapes, so pieces split characters and lines anywhere.
import { describe, expect, it } from "vitest";
import { readBulkJsonl, BULK_QUERIES } from "#adapters/shopify/bulk-operations.server.ts";
import { normalizeBulkRecord } from "#adapters/shopify/normalize-graphql.ts";
import { createGraphqlStore } from "#adapters/shopify/simulator/render-graphql.ts";
import { encodeChange, type EncodedChange } from "#app/core/ingest/bulk-load.server.ts";
import { canParseInThread, parseBulkInThread } from "#app/core/sync/bulk-parse-thread.server.ts";
import { bulkSelection } from "#test/support/bulk-selection.ts";

type Json = Record<string, unknown>;

function bytes(text: string, piece: number): ReadableStream<Uint8Array> {
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

describe("parse thread with the direct bulk encoder", () => {
  it("hands over the reference path's EncodedChange for every record of a multi-megabyte file", async (ctx) => {
    if (!canParseInThread()) return ctx.skip();
    const store = createGraphqlStore({ seed: 3, customers: 400, shopDomain: "encode-thread.myshopify.com", currency: "BRL" });
    const selection = bulkSelection(BULK_QUERIES.orders);
    const customerSelection = bulkSelection(BULK_QUERIES.customers);
    // Our orders query names the customer by id only (`customer { id }`); every other order here
    // embeds its customer's current state instead (as a query selecting the customer's fields
    // would read it), so the thread's handling of both, and of repeated embedded customers, is
    // checked against the reference path.
    const current = new Map<unknown, Json>();
    for (const line of store.bulkLines("customers")) if (line.__parentId === undefined) current.set(line.id, customerSelection.project(line));
    let n = 0;
    const lines = [...store.bulkLines("orders")].map((line) => {
      const node: Json = selection.project(line);
      if (node.__parentId !== undefined) return JSON.stringify(node);
      n++;
      const customer = node.customer as { id?: unknown } | null;
      const now = customer ? current.get(customer.id) : undefined;
      if (now && n % 2 === 0) node.customer = now;
      // Odd text in every few orders: 4-byte emoji, 2-byte accents, tabs, backslashes, newlines.
      if (n % 3 === 0) node.name = `#${n} 🎉 ação\t\\ "x"\n`;
      if (n % 5 === 0) node.tags = ["São João", "emoji 💳", "tab\there"];
      return JSON.stringify(node);
    });
    const text = `${lines.join("\n")}\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 << 20);

    const expected: EncodedChange[] = [];
    async function* whole(): AsyncGenerator<string> {
      yield text;
    }
    const lastSent = new Map<string, string>();
    let repeats = 0;
    for await (const record of readBulkJsonl(whole())) {
      const change = encodeChange(normalizeBulkRecord(record, { shopCurrency: "BRL" }));
      if (change.kind === "order" && change.customer) {
        const { platformId, text: customerText } = change.customer;
        if (lastSent.get(platformId) === customerText) {
          repeats++;
          expected.push({ ...change, customer: null });
        }
        else {
          lastSent.set(platformId, customerText);
          expected.push(change);
        }
      } else expected.push(change);
    }

    const got: EncodedChange[] = [];
    for await (const items of parseBulkInThread(bytes(text, 1 << 20), "BRL", undefined, 500)) for (const item of items) got.push(item.change);
    expect(got.length).toBe(expected.length);
    expect(got.length).toBe(n);
    for (let i = 0; i < got.length; i++) expect(got[i], `record ${i}`).toStrictEqual(expected[i]);
    // Some embedded customers were left out as repeats, and some were sent.
    expect(repeats).toBeGreaterThan(0);
    expect(got.filter((c) => c.kind === "order" && c.customer !== null).length).toBeGreaterThan(0);
    // And some orders named their customer by id only: linked, nothing of the customer staged.
    const references = got.filter((c) => c.kind === "order" && c.customer === null && !c.text.startsWith("\\N\t"));
    expect(references.length).toBeGreaterThan(0);
  });
});
