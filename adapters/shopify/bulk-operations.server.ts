// Bulk backfill through Shopify's Admin GraphQL bulk operations (API 2026-10): the documents we
// run, starting and polling an operation, and streaming its JSONL result back into objects.
//
// JSONL: every object of a nested connection is its own line carrying `__parentId`. Children come
// after their parent; only with `groupObjects: true` are they guaranteed to come right after it,
// before the next top-level object (the default became `false` in 2026-01, changelog "Bulk
// operations group objects default changed to false"). startBulkQuery therefore asks for grouped
// output, and readBulkJsonl relies on it: a parent is complete when the next top-level object
// starts or the file ends. A child whose parent is not the current object is reported, never
// silently dropped.
//
// Documents checked against shopify.dev Admin GraphQL reference pages (see the report in the
// pull request / the comments next to each document). They use no fragments (plain fields and
// one inline type condition), connections without `first` (bulk operations page through them
// themselves), at most two connections per query and nesting depth two.

import type { AdminGraphqlClient } from "./admin-graphql.server";

// ------------------------------------------------------------------------------------------
// Documents
// ------------------------------------------------------------------------------------------

const MONEY = "shopMoney { amount currencyCode }";

/**
 * MailingAddress fields (countryCodeV2, provinceCode: the codes the webhook normaliser prefers;
 * province and country when a code is missing). An order's billing/shipping address has no use
 * for its id (it only stands in for an embedded customer's missing default address).
 */
const ADDRESS_FIELDS = "firstName lastName address1 address2 city province provinceCode country countryCodeV2 zip phone";
const ADDRESS = `id ${ADDRESS_FIELDS}`;

/**
 * Customer fields of the customers query and of the fill-in lookup (CUSTOMER_NODES_QUERY). In 2026-10
 * `email`, `phone`, `emailMarketingConsent`, `smsMarketingConsent` and `addresses` are deprecated
 * on Customer: contact data and consent come from `defaultEmailAddress` / `defaultPhoneNumber`,
 * and SMS consent from `CustomerPhoneNumber.smsMarketingConsent` (its flat marketingState fields
 * are deprecated in 2026-10 too).
 */
const CUSTOMER_FIELDS = [
  "id firstName lastName locale note tags createdAt updatedAt",
  "defaultEmailAddress { emailAddress marketingState marketingUpdatedAt }",
  "defaultPhoneNumber { phoneNumber smsMarketingConsent { state updatedAt } }",
  `defaultAddress { ${ADDRESS} }`,
].join("\n        ");

const CUSTOMERS = `{
  customers {
    edges {
      node {
        ${CUSTOMER_FIELDS}
        statistics { rfmGroup predictedSpendTier }
        addressesV2 { edges { node { ${ADDRESS} } } }
      }
    }
  }
}`;

/**
 * Ids per `nodes(ids:)` call. Shopify takes up to 250, but a single query may not request more
 * than 1,000 cost points, and each customer here requests about 19 (an object per selected object
 * field, 2 for the address connection plus 1 per address asked for; our estimate from Shopify's
 * cost rules, not measured on a real shop): 50 × 19 stays under the limit.
 */
export const NODES_PER_CALL = 50;

/**
 * The customers of the orders phase that the customers phase did not load (created on Shopify
 * after its bulk operation ran), by id: the customers query's fields, with the address list as an
 * ordinary connection of its first 10 (a customer created minutes ago has one or two; the bulk
 * query pages through all) — normalised by normalizeGraphqlCustomer, which reads inline edges
 * as it reads bulk children.
 */
export const CUSTOMER_NODES_QUERY = `query caderninhoCustomerNodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Customer {
      ${CUSTOMER_FIELDS}
      statistics { rfmGroup predictedSpendTier }
      addressesV2(first: 10) { edges { node { ${ADDRESS} } } }
    }
  }
}`;

/**
 * Only what normalizeGraphqlOrder reads: every byte of a 1M-order file is downloaded and parsed
 * (the backfill's main cost). Left out as unused: app (sourceName gives the channel),
 * presentmentCurrencyCode (orders are kept in shop money), subtotalPriceSet (the subtotal is the
 * sum of the lines, as REST total_line_items_price), totalRefundedSet (refunds come from the
 * REFUND transactions, else refunds[].totalRefundedSet), LineItem.vendor.
 *
 * The customer is only its id: the customers phase, run just before, loaded every customer with
 * the same fields, and embedding them cost 774 of the 2,822 bytes of an order line (downloaded,
 * parsed, encoded, staged and probed per order for nothing). The loader links the order to the
 * customer by platform id; one created on Shopify after the customers operation ran is fetched
 * afterwards by CUSTOMER_NODES_QUERY (app/jobs/shopify-backfill.server.ts).
 */
const ORDERS = `{
  orders {
    edges {
      node {
        id name email phone
        createdAt updatedAt processedAt cancelledAt closedAt
        test tags
        currencyCode customerLocale
        displayFinancialStatus displayFulfillmentStatus
        sourceName
        paymentGatewayNames
        customAttributes { key value }
        customerJourneySummary { firstVisit { landingPage referrerUrl } lastVisit { landingPage referrerUrl } }
        totalDiscountsSet { ${MONEY} }
        totalShippingPriceSet { ${MONEY} }
        totalTaxSet { ${MONEY} }
        totalPriceSet { ${MONEY} }
        billingAddress { ${ADDRESS_FIELDS} }
        shippingAddress { ${ADDRESS_FIELDS} }
        customer { id }
        transactions {
          id kind status gateway processedAt createdAt
          amountSet { ${MONEY} }
          paymentDetails { ... on CardPaymentDetails { company bin } }
        }
        refunds { id createdAt totalRefundedSet { ${MONEY} } }
        lineItems {
          edges {
            node {
              id sku title name quantity
              variant { id }
              product { id }
              originalUnitPriceSet { ${MONEY} }
              discountAllocations { allocatedAmountSet { ${MONEY} } }
            }
          }
        }
      }
    }
  }
}`;

const PRODUCTS = `{
  products {
    edges {
      node {
        id title handle vendor productType tags status createdAt updatedAt
        category { name }
        featuredMedia { preview { image { url } } }
        variants {
          edges {
            node {
              id title sku price inventoryPolicy inventoryQuantity
              inventoryItem { tracked }
            }
          }
        }
      }
    }
  }
}`;

/** The three backfill queries, one bulk operation each. */
export const BULK_QUERIES = { customers: CUSTOMERS, orders: ORDERS, products: PRODUCTS } as const;
export type BulkQueryName = keyof typeof BULK_QUERIES;

/**
 * A backfill query restricted by Shopify search syntax, e.g.
 * `bulkQueryWithSearch("orders", "updated_at:>='2026-11-01T00:00:00Z'")` for a reconciliation pass.
 */
export function bulkQueryWithSearch(name: BulkQueryName, search: string): string {
  const root = name;
  return BULK_QUERIES[name].replace(new RegExp(`^\\{\\n  ${root} \\{`), `{\n  ${root}(query: ${JSON.stringify(search)}) {`);
}

export const BULK_RUN_MUTATION = `mutation caderninhoBulkRun($query: String!, $groupObjects: Boolean!) {
  bulkOperationRunQuery(query: $query, groupObjects: $groupObjects) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

export const BULK_STATUS_QUERY = `query caderninhoBulkStatus($id: ID!) {
  node(id: $id) {
    ... on BulkOperation {
      id status errorCode objectCount rootObjectCount fileSize url partialDataUrl createdAt completedAt
    }
  }
}`;

/**
 * Customers by platform id through `nodes(ids:)` (CUSTOMER_NODES_QUERY), NODES_PER_CALL ids per
 * call, through the client (its throttling and backoff apply). Ids Shopify no longer has (a
 * customer deleted meanwhile) answer null and are left out.
 */
export async function fetchCustomerNodes(client: AdminGraphqlClient, platformIds: readonly string[], options: { signal?: AbortSignal } = {}): Promise<BulkNode[]> {
  const nodes: BulkNode[] = [];
  for (let i = 0; i < platformIds.length; i += NODES_PER_CALL) {
    const ids = platformIds.slice(i, i + NODES_PER_CALL).map((id) => `gid://shopify/Customer/${id}`);
    const { data } = await client.request<{ nodes: (BulkNode | null)[] | null }>(CUSTOMER_NODES_QUERY, { ids }, { signal: options.signal });
    for (const node of data.nodes ?? []) if (node && gidType(node.id) === "Customer") nodes.push(node);
  }
  return nodes;
}

// ------------------------------------------------------------------------------------------
// Start and poll
// ------------------------------------------------------------------------------------------

export type BulkOperationStatus = "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED";

export interface BulkOperationState {
  id: string;
  status: BulkOperationStatus;
  errorCode: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
  partialDataUrl: string | null;
  createdAt: string | null;
  completedAt: string | null;
}

export class BulkOperationError extends Error {
  readonly state: BulkOperationState | null;

  constructor(message: string, state: BulkOperationState | null = null) {
    super(message);
    this.name = "BulkOperationError";
    this.state = state;
  }
}

/**
 * Starts a bulk query. Shopify's userErrors (another operation running, an invalid query …)
 * surface as ShopifyApiError with code USER_ERRORS and the messages. Grouped output is requested
 * because readBulkJsonl streams parent by parent.
 */
export async function startBulkQuery(
  client: AdminGraphqlClient,
  query: string,
  options: { groupObjects?: boolean; signal?: AbortSignal } = {},
): Promise<{ id: string; status: BulkOperationStatus }> {
  const { data } = await client.request<{
    bulkOperationRunQuery: { bulkOperation: { id: string; status: BulkOperationStatus } | null } | null;
  }>(BULK_RUN_MUTATION, { query, groupObjects: options.groupObjects ?? true }, { signal: options.signal });
  const operation = data.bulkOperationRunQuery?.bulkOperation;
  if (!operation) throw new BulkOperationError("bulkOperationRunQuery returned no bulk operation");
  return { id: operation.id, status: operation.status };
}

function toCount(value: unknown): number {
  // UnsignedInt64 arrives as a string.
  const number = typeof value === "string" ? Number(value) : typeof value === "number" ? value : 0;
  return Number.isFinite(number) ? number : 0;
}

function toOptionalString(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** One look at a bulk operation by id (`node(id:)`). */
export async function pollBulkOperation(client: AdminGraphqlClient, id: string, options: { signal?: AbortSignal } = {}): Promise<BulkOperationState> {
  const { data } = await client.request<{ node: Record<string, unknown> | null }>(BULK_STATUS_QUERY, { id }, { signal: options.signal });
  const node = data.node;
  if (!node || typeof node.id !== "string") throw new BulkOperationError(`bulk operation ${id} not found`);
  return {
    id: node.id,
    status: String(node.status) as BulkOperationStatus,
    errorCode: toOptionalString(node.errorCode),
    objectCount: toCount(node.objectCount),
    rootObjectCount: toCount(node.rootObjectCount),
    fileSize: node.fileSize == null ? null : toCount(node.fileSize),
    url: toOptionalString(node.url),
    partialDataUrl: toOptionalString(node.partialDataUrl),
    createdAt: toOptionalString(node.createdAt),
    completedAt: toOptionalString(node.completedAt),
  };
}

export interface WaitOptions {
  /** First pause between polls (default 1 s); grows by half each time up to maxIntervalMs. */
  intervalMs?: number;
  /** Longest pause between polls (default 15 s). */
  maxIntervalMs?: number;
  /** Give up after this long (default 6 h; Shopify allows a bulk query 10 days). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onProgress?: (state: BulkOperationState) => void;
  signal?: AbortSignal;
  /**
   * Whether Shopify has told us the operation finished (its bulk_operations/finish webhook was
   * received). Checked every `signalCheckMs` (default 1 s) while waiting between polls, so the
   * job wakes within a second of the webhook instead of at the next, possibly distant, poll.
   */
  finished?: () => Promise<boolean>;
  signalCheckMs?: number;
}

/**
 * Polls until the operation is COMPLETED and returns its final state (url null when the query
 * matched nothing). FAILED, CANCELED and EXPIRED throw BulkOperationError carrying the state
 * (errorCode, partialDataUrl).
 */
export async function waitForBulkOperation(client: AdminGraphqlClient, id: string, options: WaitOptions = {}): Promise<BulkOperationState> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? (() => Date.now());
  const deadline = now() + (options.timeoutMs ?? 6 * 60 * 60 * 1000);
  const maxInterval = options.maxIntervalMs ?? 15_000;
  let interval = options.intervalMs ?? 1_000;
  for (;;) {
    const state = await pollBulkOperation(client, id, { signal: options.signal });
    options.onProgress?.(state);
    if (state.status === "COMPLETED") return state;
    if (state.status === "FAILED" || state.status === "CANCELED" || state.status === "EXPIRED") {
      throw new BulkOperationError(`bulk operation ${id} ended ${state.status}${state.errorCode ? ` (${state.errorCode})` : ""}`, state);
    }
    if (now() + interval > deadline) throw new BulkOperationError(`bulk operation ${id} still ${state.status} after the wait limit`, state);
    if (options.finished) {
      const tick = options.signalCheckMs ?? 1_000;
      const until = now() + interval;
      while (now() < until && !(await options.finished())) await sleep(Math.min(tick, until - now()));
    } else await sleep(interval);
    interval = Math.min(maxInterval, Math.ceil(interval * 1.5));
  }
}

/**
 * The result file as a byte stream, read as the consumer pulls. Its URL is pre-signed: no access
 * token is sent with it.
 *
 * The body is locked here, not handed out as `response.body`: fetch (undici) cancels the body of
 * a Response that is garbage-collected while the body is neither locked nor read, and a cancelled
 * body reads as an empty file, with no error. The backfill reads only after opening the bulk
 * loader and starting the parse thread, so a collection in between emptied a whole phase's file
 * ("bulk products result held 0 of the 33 objects", before the root-count check a run "done" with
 * 0 orders). test/unit/shopify-bulk-download.test.ts forces that collection.
 */
export async function downloadBulkResult(url: string, options: { fetch?: typeof fetch; signal?: AbortSignal } = {}): Promise<ReadableStream<Uint8Array>> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const response = await doFetch(url, { signal: options.signal });
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new BulkOperationError(`downloading the bulk result failed: HTTP ${response.status}`);
  }
  const reader = response.body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      // A consumer that stops early aborts the download.
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

// ------------------------------------------------------------------------------------------
// JSONL streaming
// ------------------------------------------------------------------------------------------

export type BulkKind = "customer" | "order" | "product";

/** One line of the result: Shopify's fields, plus `__parentId` on children. */
export type BulkNode = Record<string, unknown>;

export interface BulkRecord {
  kind: BulkKind;
  node: BulkNode;
  /** Every descendant (children and grandchildren) in file order, each with its `__parentId`. */
  children: BulkNode[];
}

export class BulkJsonlError extends Error {
  /** 1-based line number in the file. */
  readonly line: number;

  constructor(line: number, message: string) {
    super(`bulk JSONL line ${line}: ${message}`);
    this.name = "BulkJsonlError";
    this.line = line;
  }
}

const TOP_LEVEL_KINDS: Record<string, BulkKind> = { Customer: "customer", Order: "order", Product: "product" };

/** "gid://shopify/MailingAddress/1?model_name=CustomerAddress" → "MailingAddress". */
export function gidType(gid: unknown): string | null {
  if (typeof gid !== "string") return null;
  return /^gid:\/\/shopify\/([A-Za-z0-9]+)\//.exec(gid)?.[1] ?? null;
}

export type ByteSource = ReadableStream<Uint8Array> | NodeJS.ReadableStream | AsyncIterable<Uint8Array | string>;

/** The chunks of a byte source as they come (a web stream is cancelled when the consumer stops early). */
export async function* chunksOf(stream: ByteSource): AsyncGenerator<Uint8Array | string> {
  if (typeof (stream as ReadableStream<Uint8Array>).getReader === "function") {
    const reader = (stream as ReadableStream<Uint8Array>).getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        yield value;
      }
    } finally {
      // The consumer stopped early (break, throw): tell the source, so a download is aborted.
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) yield chunk;
}

/**
 * Lines of a byte stream, a chunk at a time: each array holds the lines completed by one chunk
 * (decoded as UTF-8, characters split across chunks handled), without their "\n" or "\r\n"; a
 * last line without newline comes last. Only the current chunk and one partial line are held.
 * One async step per chunk, not per line: the bulk reader's hot path.
 */
async function* lineBatches(stream: ByteSource): AsyncGenerator<string[]> {
  const decoder = new TextDecoder("utf-8");
  let partial = "";
  const strip = (line: string) => (line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);
  for await (const chunk of chunksOf(stream)) {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let newline = text.indexOf("\n");
    if (newline === -1) {
      partial += text;
      continue;
    }
    const lines: string[] = [strip(partial + text.slice(0, newline))];
    let start = newline + 1;
    newline = text.indexOf("\n", start);
    while (newline !== -1) {
      lines.push(strip(text.slice(start, newline)));
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    partial = text.slice(start);
    yield lines;
  }
  partial += decoder.decode();
  if (partial !== "") yield [strip(partial)];
}

/**
 * Lines of a byte stream, decoded as UTF-8 (characters split across chunks are handled),
 * without their "\n" or "\r\n"; a last line without newline is yielded too. Only one line is
 * held at a time besides the current chunk.
 */
export async function* readLines(stream: ByteSource): AsyncGenerator<string> {
  for await (const lines of lineBatches(stream)) yield* lines;
}

const isBlank = (line: string) => line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === "");

/**
 * Streams a bulk result file (web ReadableStream or Node stream) and yields each top-level
 * customer/order/product with its children once they are complete. Blank lines are skipped;
 * a line that is not a JSON object, a top-level object of another type, or a child whose
 * parent is not the object being assembled throw BulkJsonlError with the line number.
 */
export async function* readBulkJsonl(stream: ByteSource): AsyncGenerator<BulkRecord> {
  let current: BulkRecord | null = null;
  // Ids of the current object's descendants (grandchildren name a child as parent); children of
  // the object itself, the usual case, are recognised without it.
  let ids: Set<string> | null = null;
  let lineNumber = 0;
  for await (const lines of lineBatches(stream)) {
    // The records this chunk completed, handed out after the synchronous pass over its lines.
    const complete: BulkRecord[] = [];
    for (const line of lines) {
      lineNumber++;
      if (isBlank(line)) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new BulkJsonlError(lineNumber, `not valid JSON (${(error as Error).message})`);
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new BulkJsonlError(lineNumber, "not a JSON object");
      }
      const node = value as BulkNode;
      const parentId = node.__parentId;
      if (parentId !== undefined) {
        if (typeof parentId !== "string" || !current || (parentId !== current.node.id && !ids?.has(parentId))) {
          throw new BulkJsonlError(
            lineNumber,
            `child of ${String(parentId)} does not follow its parent (was the bulk query run with groupObjects: true?)`,
          );
        }
        current.children.push(node);
        if (typeof node.id === "string") (ids ??= new Set()).add(node.id);
        continue;
      }
      const type = gidType(node.id);
      const kind = type ? TOP_LEVEL_KINDS[type] : undefined;
      if (!kind) {
        throw new BulkJsonlError(lineNumber, `top-level object ${JSON.stringify(node.id ?? null)} is not a Customer, Order or Product`);
      }
      if (current) complete.push(current);
      current = { kind, node, children: [] };
      ids = null;
    }
    yield* complete;
  }
  if (current) yield current;
}
