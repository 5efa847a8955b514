import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  BULK_QUERIES,
  BulkJsonlError,
  type BulkRecord,
  bulkQueryWithSearch,
  readBulkJsonl,
  readLines,
} from "../../adapters/shopify/bulk-operations.server";

const encoder = new TextEncoder();

/** A web ReadableStream delivering `bytes` in slices of `size`. */
function webStream(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> & { cancelled: () => boolean } {
  let offset = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
    cancel() {
      cancelled = true;
    },
  });
  return Object.assign(stream, { cancelled: () => cancelled });
}

/** A Node Readable delivering `bytes` as Buffers of `size`. */
function nodeStream(bytes: Uint8Array, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(Buffer.from(bytes.slice(offset, offset + size)));
  return Readable.from(chunks);
}

async function collect(source: Parameters<typeof readBulkJsonl>[0]): Promise<BulkRecord[]> {
  const records: BulkRecord[] = [];
  for await (const record of readBulkJsonl(source)) records.push(record);
  return records;
}

const customer = { id: "gid://shopify/Customer/7104000001", firstName: "Conceição", defaultEmailAddress: { emailAddress: "conceicao@example.com.br" } };
const address1 = { id: "gid://shopify/MailingAddress/91?model_name=CustomerAddress", city: "São Paulo", __parentId: customer.id };
const address2 = { id: "gid://shopify/MailingAddress/92?model_name=CustomerAddress", city: "Florianópolis 🌊", __parentId: customer.id };
const order = { id: "gid://shopify/Order/5930001", name: "#1001", totalPriceSet: { shopMoney: { amount: "129.9", currencyCode: "BRL" } } };
const line1 = { id: "gid://shopify/LineItem/1", title: "Café Especial Catuaí 250g", quantity: 2, __parentId: order.id };
const line2 = { id: "gid://shopify/LineItem/2", title: "Sérum Facial Vitamina C", quantity: 1, __parentId: order.id };
// A grandchild: a child of a child (nested connections go two levels deep).
const grandchild = { id: "gid://shopify/Metafield/5", key: "gift", __parentId: line2.id };
const product = { id: "gid://shopify/Product/8712001", title: "Caneca Esmaltada" };
const variant = { id: "gid://shopify/ProductVariant/46120001", price: "59.9", __parentId: product.id };
const lonely = { id: "gid://shopify/Product/8712002", title: "Sem variantes" };

const EXPECTED: BulkRecord[] = [
  { kind: "customer", node: customer, children: [address1, address2] },
  { kind: "order", node: order, children: [line1, line2, grandchild] },
  { kind: "product", node: product, children: [variant] },
  { kind: "product", node: lonely, children: [] },
];

/** CRLF on some lines, a blank line, and no newline after the last line. */
const FILE = [customer, address1, address2, order, line1, line2, grandchild, product, variant, lonely]
  .map((object, index) => JSON.stringify(object) + (index % 3 === 0 ? "\r\n" : "\n"))
  .join("")
  .replace(/\n$/, "")
  .replace(JSON.stringify(product), `\n${JSON.stringify(product)}`);
const BYTES = encoder.encode(FILE);

describe("readBulkJsonl: reassembly", () => {
  it.each([1, 2, 3, 7, 64, BYTES.length])("reassembles parents and children over %i-byte chunks (web stream)", async (size) => {
    expect(await collect(webStream(BYTES, size))).toEqual(EXPECTED);
  });

  it.each([1, 7, 4096])("reassembles parents and children over %i-byte chunks (Node stream)", async (size) => {
    expect(await collect(nodeStream(BYTES, size))).toEqual(EXPECTED);
  });

  it("keeps multi-byte characters split across chunks intact", async () => {
    const records = await collect(webStream(BYTES, 7));
    expect(records[0]?.node.firstName).toBe("Conceição");
    expect(records[0]?.children[1]?.city).toBe("Florianópolis 🌊");
  });

  it("yields each parent only when the next top-level object starts", async () => {
    const seen: string[] = [];
    const lines = FILE.split(/\r?\n/);
    async function* chunks() {
      for (const line of lines) {
        seen.push(line);
        yield encoder.encode(`${line}\n`);
      }
    }
    for await (const record of readBulkJsonl(chunks())) {
      // When the customer is yielded, the reader has seen the order line but no further.
      if (record.kind === "customer") expect(seen.at(-1)).toContain('"gid://shopify/Order/5930001"');
    }
  });

  it("gives nothing for an empty file or blank lines", async () => {
    expect(await collect(webStream(new Uint8Array(0), 7))).toEqual([]);
    expect(await collect(webStream(encoder.encode("\n\r\n  \n"), 2))).toEqual([]);
  });

  it("splits lines on LF and CRLF, keeping a last line without newline", async () => {
    const lines: string[] = [];
    for await (const line of readLines(webStream(encoder.encode("a\r\nb\n\nc"), 1))) lines.push(line);
    expect(lines).toEqual(["a", "b", "", "c"]);
  });

  it("cancels the source when the consumer stops early", async () => {
    const stream = webStream(BYTES, 7);
    for await (const record of readBulkJsonl(stream)) {
      expect(record.kind).toBe("customer");
      break;
    }
    expect(stream.cancelled()).toBe(true);
  });
});

describe("readBulkJsonl: errors carry the line number", () => {
  async function failure(text: string, size = 5): Promise<BulkJsonlError> {
    try {
      await collect(webStream(encoder.encode(text), size));
    } catch (error) {
      if (error instanceof BulkJsonlError) return error;
      throw error;
    }
    throw new Error("expected a BulkJsonlError");
  }

  it("reports a malformed line", async () => {
    const error = await failure(`${JSON.stringify(customer)}\n${JSON.stringify(address1)}\n{"id": "gid://shopify/Order/1", "name": \n`);
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^bulk JSONL line 3: not valid JSON/);
  });

  it("counts blank lines and CRLF lines when numbering", async () => {
    const error = await failure(`${JSON.stringify(customer)}\r\n\r\n[1, 2]\r\n`);
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/not a JSON object/);
  });

  it("reports a child that does not follow its parent (ungrouped output)", async () => {
    const error = await failure([customer, order, address1].map((o) => JSON.stringify(o)).join("\n"));
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/child of gid:\/\/shopify\/Customer\/7104000001 does not follow its parent.*groupObjects: true/);
  });

  it("reports a top-level object of an unexpected type", async () => {
    const error = await failure(`${JSON.stringify({ id: "gid://shopify/Collection/1" })}\n`);
    expect(error.line).toBe(1);
    expect(error.message).toMatch(/not a Customer, Order or Product/);
  });
});

describe("readBulkJsonl: memory", () => {
  it("streams 200,000 lines with a small, bounded heap", async () => {
    const ORDERS = 50_000;
    const LINES_PER_ORDER = 3;
    // Generated lazily, in ~64 KiB chunks: the file (~40 MB) never exists as a whole.
    function* file(): Generator<Buffer> {
      let pending: string[] = [];
      let size = 0;
      for (let i = 1; i <= ORDERS; i++) {
        const orderId = `gid://shopify/Order/${5_930_000_000_000 + i}`;
        const rows = [
          { id: orderId, name: `#${1000 + i}`, email: `cliente${i}@example.com.br`, totalPriceSet: { shopMoney: { amount: "129.9", currencyCode: "BRL" } }, customAttributes: [{ key: "boleto_barcode", value: "23793.38128 60000.000003 00000.000400 1 84340000012990" }] },
          ...Array.from({ length: LINES_PER_ORDER }, (_, j) => ({
            id: `gid://shopify/LineItem/${14_560_000_000_000 + i * 10 + j}`,
            title: "Café Especial Catuaí Amarelo 250g",
            quantity: 1 + j,
            originalUnitPriceSet: { shopMoney: { amount: "44.9", currencyCode: "BRL" } },
            __parentId: orderId,
          })),
        ];
        for (const row of rows) {
          const text = `${JSON.stringify(row)}\n`;
          pending.push(text);
          size += text.length;
        }
        if (size > 65_536) {
          yield Buffer.from(pending.join(""));
          pending = [];
          size = 0;
        }
      }
      if (pending.length > 0) yield Buffer.from(pending.join(""));
    }

    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let records = 0;
    let children = 0;
    for await (const record of readBulkJsonl(Readable.from(file()))) {
      records++;
      children += record.children.length;
      if (records % 2_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(records).toBe(ORDERS);
    expect(records + children).toBe(ORDERS * (1 + LINES_PER_ORDER));
    expect(peak - baseline).toBeLessThan(50 * 1024 * 1024);
  }, 60_000);
});

describe("bulk query documents", () => {
  it("are plain documents with one root connection each", () => {
    expect(BULK_QUERIES.customers).toMatch(/^\{\n {2}customers \{/);
    expect(BULK_QUERIES.orders).toMatch(/^\{\n {2}orders \{/);
    expect(BULK_QUERIES.products).toMatch(/^\{\n {2}products \{/);
    for (const query of Object.values(BULK_QUERIES)) {
      // No fragments, no pagination arguments, at most 2 connections (edges) and balanced braces.
      expect(query).not.toMatch(/\bfragment\b|\.\.\.\s*[A-Za-z]+\s*$|\bfirst\s*:/m);
      expect((query.match(/\bedges\b/g) ?? []).length).toBeLessThanOrEqual(2);
      expect((query.match(/\{/g) ?? []).length).toBe((query.match(/\}/g) ?? []).length);
    }
  });

  it("can be narrowed with Shopify search syntax", () => {
    expect(bulkQueryWithSearch("orders", "updated_at:>='2026-11-01T00:00:00Z'")).toMatch(
      /^\{\n {2}orders\(query: "updated_at:>='2026-11-01T00:00:00Z'"\) \{/,
    );
  });
});
