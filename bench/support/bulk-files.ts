// Bulk result files of any size, shaped exactly like the simulator's (only the fields our bulk
// queries select, cut down by test/support/bulk-selection.ts as Shopify would; LineItem /
// MailingAddress children right after their parent): the simulated store is rendered once, then
// copied as many times as needed with every per-object id suffixed with the copy number and every
// date moved back by copy × 17 minutes. Written straight to disk in pieces, never held whole in
// memory. Products are not copied: the orders keep pointing at them.
import fs from "node:fs";
import { once } from "node:events";
import { createGraphqlStore, type GraphqlBulkRoot } from "../../adapters/shopify/simulator/render-graphql.ts";
import { normalizeGraphqlOrder } from "../../adapters/shopify/normalize-graphql.ts";
import { BULK_QUERIES } from "../../adapters/shopify/bulk-operations.server.ts";
import { bulkSelection } from "../../test/support/bulk-selection.ts";

// Ids that name one object of one copy; Product/ProductVariant ids stay (the catalogue is shared).
const TOKEN = /(gid:\/\/shopify\/(?:Order|LineItem|Customer|MailingAddress|OrderTransaction|Refund)\/\d+)|"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"/g;
const SHIFT_MS = 17 * 60_000;

/** A template line cut at every id end and date: texts[i] + token i + texts[i + 1] … */
interface Template {
  texts: string[];
  /** null: an id (gets the copy suffix); a number: a date (epoch ms, moved per copy). */
  tokens: (number | null)[];
}

function compile(line: string): Template {
  const texts: string[] = [];
  const tokens: (number | null)[] = [];
  let last = 0;
  for (const m of line.matchAll(TOKEN)) {
    if (m[1]) {
      texts.push(line.slice(last, m.index + m[1].length));
      tokens.push(null);
      last = m.index + m[1].length;
    } else {
      texts.push(line.slice(last, m.index + 1));
      tokens.push(Date.parse(m[2]!));
      last = m.index + m[0].length - 1;
    }
  }
  texts.push(line.slice(last));
  return { texts, tokens };
}

function render(t: Template, suffix: string, shift: number): string {
  let out = t.texts[0]!;
  for (let i = 0; i < t.tokens.length; i++) {
    const token = t.tokens[i]!;
    out += token === null ? suffix : `${new Date(token - shift).toISOString().slice(0, 19)}Z`;
    out += t.texts[i + 1]!;
  }
  return out;
}

/** Top-level objects of the simulator's bulk output, each with its children's lines. */
function recordsOf(lines: Iterable<Record<string, unknown>>): Record<string, unknown>[][] {
  const records: Record<string, unknown>[][] = [];
  for (const line of lines) {
    if (line.__parentId === undefined) records.push([line]);
    else records.at(-1)!.push(line);
  }
  return records;
}

export interface BulkFiles {
  products: string;
  customers: string;
  orders: string;
  expected: { products: number; customers: number; orders: number; lines: number; revenueMinor: bigint; bytes: Record<GraphqlBulkRoot, number> };
  remove(): void;
}

class PieceWriter {
  private readonly out: fs.WriteStream;
  private buffer = "";
  bytes = 0;
  constructor(file: string) {
    this.out = fs.createWriteStream(file);
  }
  async line(text: string): Promise<void> {
    this.buffer += text;
    this.buffer += "\n";
    if (this.buffer.length >= 1 << 22) await this.flush();
  }
  private async flush(): Promise<void> {
    this.bytes += Buffer.byteLength(this.buffer);
    if (!this.out.write(this.buffer)) await once(this.out, "drain");
    this.buffer = "";
  }
  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, "finish");
  }
}

/**
 * Writes `<dir>/{products,customers,orders}.jsonl` with `orders` orders, copying a simulated store
 * of `templateCustomers` customers (seed `seed`) as often as needed.
 */
export async function writeBulkFiles(dir: string, opts: { orders: number; seed: number; templateCustomers?: number; currency?: string }): Promise<BulkFiles> {
  const currency = opts.currency ?? "BRL";
  const store = createGraphqlStore({ seed: opts.seed, customers: opts.templateCustomers ?? 500, shopDomain: "bench-backfill.myshopify.com", currency });
  // Exactly the fields our bulk queries select (what Shopify writes), not all the renderer knows.
  const linesOf = (root: GraphqlBulkRoot) => {
    const selection = bulkSelection(BULK_QUERIES[root]);
    return [...store.bulkLines(root)].map((line) => selection.project(line));
  };
  const templates = (root: GraphqlBulkRoot) => recordsOf(linesOf(root)).map((record) => record.map((line) => compile(JSON.stringify(line))));
  // A bulk query reads the shop as it is when it runs: a customer embedded in an order is the
  // customer's current state (the customers file's), not the customer as it was when that order
  // was placed (what the simulator renders for its webhook comparisons). Our orders query selects
  // only the customer's id now; a query embedding more would get this state.
  const current = new Map<unknown, Record<string, unknown>>();
  for (const line of store.bulkLines("customers")) if (line.__parentId === undefined) current.set(line.id, line);
  const orderSelection = bulkSelection(BULK_QUERIES.orders);
  const orderLines = [...store.bulkLines("orders")].map((line) => {
    const customer = line.customer as { id?: unknown } | null | undefined;
    const now = line.__parentId === undefined && customer ? current.get(customer.id) : undefined;
    return orderSelection.project(now ? { ...line, customer: now } : line);
  });
  const orderRecords = recordsOf(orderLines);
  const orderTemplates = orderRecords.map((record) => record.map((line) => compile(JSON.stringify(line))));
  const customerTemplates = templates("customers");
  // What each template order adds up to, from the normaliser itself (copies only move dates).
  const orderFacts = orderRecords.map(([node, ...children]) => {
    const order = normalizeGraphqlOrder(node!, children, { shopCurrency: currency });
    return { lines: children.length, revenue: order.cancelledAt ? 0n : order.totalMinor };
  });
  const copies = Math.ceil(opts.orders / orderTemplates.length);
  const files = { products: `${dir}/products.jsonl`, customers: `${dir}/customers.jsonl`, orders: `${dir}/orders.jsonl` };
  const expected = { products: 0, customers: 0, orders: 0, lines: 0, revenueMinor: 0n, bytes: { products: 0, customers: 0, orders: 0 } };

  const products = new PieceWriter(files.products);
  for (const line of linesOf("products")) await products.line(JSON.stringify(line));
  await products.close();
  expected.products = store.plan.products.length;
  expected.bytes.products = products.bytes;

  const customers = new PieceWriter(files.customers);
  for (let copy = 0; copy < copies; copy++) {
    const suffix = String(copy).padStart(4, "0");
    for (const record of customerTemplates) for (const line of record) await customers.line(render(line, suffix, copy * SHIFT_MS));
  }
  await customers.close();
  expected.customers = copies * customerTemplates.length;
  expected.bytes.customers = customers.bytes;

  const orders = new PieceWriter(files.orders);
  for (let copy = 0; copy < copies && expected.orders < opts.orders; copy++) {
    const suffix = String(copy).padStart(4, "0");
    for (let i = 0; i < orderTemplates.length && expected.orders < opts.orders; i++) {
      for (const line of orderTemplates[i]!) await orders.line(render(line, suffix, copy * SHIFT_MS));
      expected.orders++;
      expected.lines += orderFacts[i]!.lines;
      expected.revenueMinor += orderFacts[i]!.revenue;
    }
  }
  await orders.close();
  expected.bytes.orders = orders.bytes;

  return {
    ...files,
    expected,
    remove() {
      for (const file of Object.values(files)) fs.rmSync(file, { force: true });
    },
  };
}
