// An in-process HTTP server that speaks the Shopify Admin GraphQL wire format (API 2026-10) for
// the calls caderninho makes: `shop`, bulk queries (run, poll by node(id:) or
// currentBulkOperation, JSONL download), customers by id (`nodes(ids:)` with `... on Customer`), tagsAdd/tagsRemove, discountCodeBasicCreate, customerEmailMarketingConsentUpdate. Its data is the seeded demo store
// (adapters/shopify/simulator), rendered as GraphQL nodes, so counts match the simulator's summary().
//
// What it enforces, as Shopify does:
// - POST /admin/api/{version}/graphql.json with a valid X-Shopify-Access-Token (else 401/404);
// - a cost bucket (leaky bucket: maximumAvailable, restoreRate per second): a query costing more
//   than is available gets HTTP 200 + errors[0].extensions.code "THROTTLED"; every answer carries
//   extensions.cost { requestedQueryCost, actualQueryCost, throttleStatus };
// - bulk output grouped (children right after their parent) only when groupObjects is true;
//   ungrouped output lists every parent first and the children afterwards.
// It is not a GraphQL engine: it recognises operations from the query text and answers any
// document it does not recognise with a GraphQL error, so tests notice unexpected documents.
// Failures can be injected: the next N GraphQL requests answer 429 (with Retry-After), 5xx, or
// have their connection dropped.

import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { type SimulationSummary, type StoreSimulatorOptions, createStoreSimulator } from "../../adapters/shopify/simulator";
import { type GraphqlBulkRoot, type GraphqlStore, createGraphqlStore } from "../../adapters/shopify/simulator/render-graphql";
import { bulkSelection } from "./bulk-selection.ts";

export type SimulatedOperation =
  | "shop"
  | "bulkOperationRunQuery"
  | "bulkOperationRunMutation"
  | "stagedUploadsCreate"
  | "bulkOperationStatus"
  | "currentBulkOperation"
  | "tagsAdd"
  | "tagsRemove"
  | "webPixelCreate"
  | "webPixelUpdate"
  | "webPixel"
  | "discountCodeBasicCreate"
  | "customerEmailMarketingConsentUpdate"
  | "customerNodes";

export type InjectedFailure =
  | { status: 429; retryAfterSeconds?: number }
  | { status: 500 | 502 | 503 | 504 }
  | { drop: true }
  /** Read the request and never answer (the client's timeout must fire). */
  | { hang: true };

export interface AdminSimulatorOptions {
  store: StoreSimulatorOptions;
  accessToken: string;
  /** Default "2026-10". */
  apiVersion?: string;
  /** Default: Shopify's Standard plan, 2000 points restored at 100/s (starts full). */
  bucket?: { maximumAvailable?: number; restoreRate?: number; currentlyAvailable?: number };
  /** Cost per operation (defaults: shop 1, bulk run 10, status polls 1, tags 10). */
  costs?: Partial<Record<SimulatedOperation, number>>;
  /** Polls answering RUNNING before a bulk operation is COMPLETED (default 0: done at the first poll). */
  bulkPollsUntilComplete?: number;
  /** Milliseconds clock of the bucket (default Date.now). */
  now?: () => number;
  /**
   * Customers (platform ids) created on the shop after the backfill's customers bulk operation
   * ran: missing from every customers bulk operation started before the first orders one, present
   * everywhere else (their orders, `nodes(ids:)`, later customers operations).
   */
  lateCustomers?: readonly string[];
}

export interface TagCall {
  mutation: "tagsAdd" | "tagsRemove";
  id: string;
  tags: string[];
  ok: boolean;
}

export interface RequestLogEntry {
  operation: SimulatedOperation | "unrecognised" | null;
  outcome: "ok" | "throttled" | "user-errors" | "graphql-error" | "unauthorized" | "bad-request" | "injected-429" | "injected-5xx" | "injected-drop" | "injected-hang";
  cost: number | null;
}

export interface AdminSimulator {
  /** "http://127.0.0.1:PORT". */
  readonly origin: string;
  /** The GraphQL URL to give createAdminGraphql as `endpoint`. */
  readonly endpoint: string;
  readonly shopDomain: string;
  readonly apiVersion: string;
  readonly store: GraphqlStore;
  summary(): SimulationSummary;
  /** The next `count` GraphQL requests fail this way (queued after earlier injections). */
  failNext(count: number, failure: InjectedFailure): void;
  /** The next bulk result download ends cleanly (200) after `lines` lines: a short file. */
  cutNextDownload(lines: number): void;
  /**
   * An outage: for the next `ms` milliseconds every GraphQL request fails, taking the given kinds
   * in turn (429, 5xx, dropped connections, hangs). Counted requests are in `requests`.
   */
  failFor(ms: number, kinds: InjectedFailure[]): void;
  readonly tagCalls: readonly TagCall[];
  /** Bulk mutations started, with their line counts. */
  readonly bulkMutations: readonly { field: "tagsAdd" | "tagsRemove"; lines: number }[];
  /** Tags currently added by tagsAdd (minus tagsRemove) per GID. */
  tagsOf(id: string): string[];
  /** Discount codes created with discountCodeBasicCreate, by code (upper case). */
  readonly discounts: ReadonlyMap<string, { id: string; input: Json }>;
  /** Email marketing states set by customerEmailMarketingConsentUpdate, by customer GID. */
  readonly emailConsents: ReadonlyMap<string, { marketingState: string; consentUpdatedAt: string | null }>;
  /**
   * A change made in the shop (by the merchant, another app…) that sent no webhook we saw:
   * later bulk queries return the node with `patch` merged in and `updatedAt` = `at`.
   */
  editRecord(id: string, patch: Json, at: Date): void;
  /** The app's web pixel on this shop (settings as Shopify stores them: a JSON string), if created. */
  webPixel(): { id: string; settings: string } | null;
  readonly requests: readonly RequestLogEntry[];
  stats(): Record<RequestLogEntry["outcome"], number> & { total: number };
  bucket(): { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
  setBucket(bucket: { maximumAvailable?: number; restoreRate?: number; currentlyAvailable?: number }): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

interface BulkOperation {
  id: string;
  number: number;
  /** What a QUERY operation reads; null for a MUTATION. */
  root: GraphqlBulkRoot | null;
  type: "QUERY" | "MUTATION";
  /** MUTATION: the mutation run per line, its variables, and the per-line results once done. */
  mutation: { field: "tagsAdd" | "tagsRemove"; variables: Json[]; results: Json[] | null } | null;
  /** `updated_at:>='…'` of the root connection's `query:` argument, if any. */
  updatedSince: Date | null;
  query: string;
  groupObjects: boolean;
  createdAt: string;
  completedAt: string | null;
  pollsLeft: number;
  status: "CREATED" | "RUNNING" | "COMPLETED";
  totals: { objects: number; roots: number; bytes: number } | null;
}

class GraphqlRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const DEFAULT_COSTS: Record<SimulatedOperation, number> = {
  shop: 1,
  bulkOperationRunQuery: 10,
  bulkOperationRunMutation: 10,
  stagedUploadsCreate: 10,
  bulkOperationStatus: 1,
  currentBulkOperation: 1,
  tagsAdd: 10,
  tagsRemove: 10,
  webPixelCreate: 10,
  webPixelUpdate: 10,
  webPixel: 1,
  discountCodeBasicCreate: 10,
  customerEmailMarketingConsentUpdate: 10,
  customerNodes: 10,
};

const SHOP_FIELDS = new Set(["id", "name", "myshopifyDomain", "currencyCode", "ianaTimezone", "billingAddress"]);

// ------------------------------------------------------------------------------------------
// Reading just enough of a GraphQL document
// ------------------------------------------------------------------------------------------

/** Text between the `{` at `open` and its matching `}`, ignoring braces in strings. */
function block(text: string, open: number): string {
  let depth = 0;
  let inString: string | null = null;
  for (let i = open; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (text.startsWith(inString, i)) {
        i += inString.length - 1;
        inString = null;
      } else if (char === "\\") i++;
      continue;
    }
    if (text.startsWith('"""', i)) {
      inString = '"""';
      i += 2;
    } else if (char === '"') inString = '"';
    else if (char === "{") depth++;
    else if (char === "}" && --depth === 0) return text.slice(open + 1, i);
  }
  throw new GraphqlRequestError("Parse error: unbalanced braces", "parseError");
}

/** Field names at the top level of a selection set's text. */
function topLevelFields(selection: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let parens = 0;
  const tokens = selection.match(/[_A-Za-z][_0-9A-Za-z]*|[{}()]|"(?:\\.|[^"\\])*"|\S/g) ?? [];
  let previous: string | null = null;
  for (const token of tokens) {
    if (token === "{") depth++;
    else if (token === "}") depth--;
    else if (token === "(") parens++;
    else if (token === ")") parens--;
    else if (depth === 0 && parens === 0 && /^[_A-Za-z]/.test(token) && previous !== ":" && previous !== "...") names.push(token);
    previous = token;
  }
  return names;
}

/** The value of argument `name` in `text`: a $variable, a "string" or a """block string""". */
function argument(text: string, name: string, variables: Json): unknown {
  // Not a variable definition ("$tags: [String!]!"): an argument ("tags: $tags").
  const match = new RegExp(`(?<![$\\w])${name}\\s*:\\s*(\\$[_A-Za-z][_0-9A-Za-z]*|"""[\\s\\S]*?"""|"(?:\\\\.|[^"\\\\])*"|\\[[^\\]]*\\]|true|false)`).exec(text);
  if (!match?.[1]) return undefined;
  const raw = match[1];
  if (raw.startsWith("$")) return variables[raw.slice(1)];
  if (raw.startsWith('"""')) return raw.slice(3, -3);
  if (raw === "true" || raw === "false") return raw === "true";
  try {
    return JSON.parse(raw);
  } catch {
    throw new GraphqlRequestError(`Parse error on argument ${name}`, "parseError");
  }
}

const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The `updated_at:>='…'` filter of a bulk query's root connection (Shopify search syntax). Other
 * search terms are refused, so a test notices a query the simulator would silently answer wrong.
 */
function updatedSinceOf(bulkQuery: string, root: GraphqlBulkRoot): Date | null {
  const args = new RegExp(`\\b${root}\\s*\\(([^)]*)\\)`).exec(bulkQuery)?.[1];
  if (!args) return null;
  const search = argument(args, "query", {});
  if (search === undefined) return null;
  const match = typeof search === "string" ? /^updated_at:>=['"]?([^'"]+)['"]?$/.exec(search.trim()) : null;
  if (!match?.[1] || Number.isNaN(Date.parse(match[1]))) {
    throw new GraphqlRequestError(`The Admin API simulator only understands updated_at:>= searches, got ${JSON.stringify(search)}`, "SIMULATOR_UNSUPPORTED_SEARCH");
  }
  return new Date(match[1]);
}

function identify(query: string): SimulatedOperation | null {
  if (/^\s*mutation\b/.test(query)) {
    if (/\bbulkOperationRunQuery\s*\(/.test(query)) return "bulkOperationRunQuery";
    if (/\bbulkOperationRunMutation\s*\(/.test(query)) return "bulkOperationRunMutation";
    if (/\bstagedUploadsCreate\s*\(/.test(query)) return "stagedUploadsCreate";
    if (/\btagsAdd\s*\(/.test(query)) return "tagsAdd";
    if (/\btagsRemove\s*\(/.test(query)) return "tagsRemove";
    if (/\bwebPixelCreate\s*\(/.test(query)) return "webPixelCreate";
    if (/\bwebPixelUpdate\s*\(/.test(query)) return "webPixelUpdate";
    if (/\bdiscountCodeBasicCreate\s*\(/.test(query)) return "discountCodeBasicCreate";
    if (/\bcustomerEmailMarketingConsentUpdate\s*\(/.test(query)) return "customerEmailMarketingConsentUpdate";
    return null;
  }
  if (/\bwebPixel\s*\{/.test(query)) return "webPixel";
  if (/\bnode\s*\(\s*id\s*:/.test(query) && /\bon\s+BulkOperation\b/.test(query)) return "bulkOperationStatus";
  if (/\bnodes\s*\(\s*ids\s*:/.test(query) && /\.\.\.\s*on\s+Customer\s*\{/.test(query)) return "customerNodes";
  if (/\bcurrentBulkOperation\b/.test(query)) return "currentBulkOperation";
  if (/^\s*(?:query\b[^{]*)?\{\s*shop\s*\{/.test(query)) return "shop";
  return null;
}

// ------------------------------------------------------------------------------------------
// The server
// ------------------------------------------------------------------------------------------

export async function startAdminSimulator(options: AdminSimulatorOptions): Promise<AdminSimulator> {
  const apiVersion = options.apiVersion ?? "2026-10";
  const now = options.now ?? (() => Date.now());
  const costs = { ...DEFAULT_COSTS, ...options.costs };
  const store = createGraphqlStore(options.store);
  let summaryCache: SimulationSummary | null = null;
  const summary = () => (summaryCache ??= createStoreSimulator(options.store).summary());
  const knownIds = new Set<string>([
    ...store.plan.customers.map((c) => `gid://shopify/Customer/${c.id}`),
    ...store.plan.orders.map((o) => `gid://shopify/Order/${o.id}`),
    ...store.plan.products.map((p) => `gid://shopify/Product/${p.id}`),
  ]);

  const bucket = {
    maximumAvailable: options.bucket?.maximumAvailable ?? 2000,
    restoreRate: options.bucket?.restoreRate ?? 100,
    available: options.bucket?.currentlyAvailable ?? options.bucket?.maximumAvailable ?? 2000,
    at: now(),
  };
  const restore = () => {
    const t = now();
    bucket.available = Math.min(bucket.maximumAvailable, bucket.available + ((t - bucket.at) / 1000) * bucket.restoreRate);
    bucket.at = t;
  };
  const throttleStatus = () => ({
    maximumAvailable: bucket.maximumAvailable,
    currentlyAvailable: Math.floor(bucket.available),
    restoreRate: bucket.restoreRate,
  });

  const failures: InjectedFailure[] = [];
  let outage: { until: number; kinds: InjectedFailure[]; next: number } | null = null;
  const hanging = new Set<ServerResponse>();
  const tagCalls: TagCall[] = [];
  const tags = new Map<string, Set<string>>();
  const edits = new Map<string, { patch: Json; at: Date }>();
  const uploads = new Map<string, string>();
  const bulkMutations: { field: "tagsAdd" | "tagsRemove"; lines: number }[] = [];
  let webPixel: { id: string; settings: string } | null = null;

  /**
   * webPixelCreate / webPixelUpdate input check, as Shopify does against the extension's settings
   * definition (extensions/behaviour-pixel/shopify.extension.toml): a JSON object whose storeKey has
   * at least 16 characters and whose endpoint is text. Returns the userError, or null when valid.
   */
  function pixelSettingsError(input: unknown): Json | null {
    const raw = input && typeof input === "object" ? (input as Json).settings : undefined;
    if (raw === undefined || raw === null || raw === "") return { field: ["webPixel", "settings"], message: "Settings can't be blank", code: "BLANK" };
    let parsed: unknown = raw;
    if (typeof raw === "string") {
      try {
        parsed = JSON.parse(raw);
      } catch {
        return { field: ["webPixel", "settings"], message: "Settings is not a valid JSON", code: "INVALID_CONFIGURATION_JSON" };
      }
    }
    const settings = parsed as Json;
    if (typeof settings?.storeKey !== "string" || settings.storeKey.length < 16 || typeof settings.endpoint !== "string") {
      return { field: ["webPixel", "settings"], message: "Settings do not match the expected settings definition", code: "INVALID_SETTINGS" };
    }
    return null;
  }
  const discounts = new Map<string, { id: string; input: Json }>();
  const emailConsents = new Map<string, { marketingState: string; consentUpdatedAt: string | null }>();

  const tagList = (raw: unknown): string[] =>
    Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? raw.split(",").map((tag) => tag.trim()) : [];

  /** tagsAdd / tagsRemove on one resource, as a direct call or one line of a bulk mutation. */
  function applyTags(field: "tagsAdd" | "tagsRemove", rawId: unknown, rawTags: unknown): { ok: boolean; payload: Json } {
    const id = String(rawId);
    if (typeof rawId !== "string" || !knownIds.has(id)) return { ok: false, payload: { node: null, userErrors: [{ field: ["id"], message: "Resource does not exist" }] } };
    const current = tags.get(id) ?? new Set<string>();
    for (const tag of tagList(rawTags)) {
      if (field === "tagsAdd") current.add(tag);
      else current.delete(tag);
    }
    tags.set(id, current);
    // Shopify bumps updated_at on a tag change; so does the simulator.
    edits.set(id, { patch: edits.get(id)?.patch ?? {}, at: new Date(now()) });
    return { ok: true, payload: { node: { id }, userErrors: [] } };
  }
  const requests: RequestLogEntry[] = [];
  const operations = new Map<number, BulkOperation>();
  let bulkCounter = 0;
  let origin = "";
  const lateCustomers = new Set((options.lateCustomers ?? []).map((id) => `gid://shopify/Customer/${id}`));
  /** Whether an orders bulk operation was started (lateCustomers exist from then on). */
  let ordersRequested = false;

  function totalsOf(operation: BulkOperation) {
    if (!operation.totals) {
      let objects = 0;
      let roots = 0;
      let bytes = 0;
      for (const line of orderedLines(operation)) {
        objects++;
        if (line.__parentId === undefined) roots++;
        bytes += Buffer.byteLength(JSON.stringify(line)) + 1;
      }
      operation.totals = { objects, roots, bytes };
    }
    return operation.totals;
  }

  function createOperation(spec: Pick<BulkOperation, "root" | "type" | "mutation" | "updatedSince" | "query" | "groupObjects">): BulkOperation {
    const number = ++bulkCounter;
    const created: BulkOperation = {
      ...spec,
      id: `gid://shopify/BulkOperation/${7_000_000 + number}`,
      number,
      createdAt: isoSeconds(new Date(now())),
      completedAt: null,
      pollsLeft: options.bulkPollsUntilComplete ?? 0,
      status: "CREATED",
      totals: null,
    };
    operations.set(number, created);
    if (spec.root === "orders") ordersRequested = true;
    return created;
  }

  /** The store's lines with edits and pushed tags applied, restricted by the operation's search. */
  function* currentLines(operation: Pick<BulkOperation, "query" | "root" | "updatedSince">): Generator<Json> {
    let keepChildren = false;
    // Only the fields the query selects, as Shopify writes them.
    const selection = bulkSelection(operation.query);
    const hidden = operation.root === "customers" && !ordersRequested ? lateCustomers : null;
    for (const rendered of store.bulkLines(operation.root!)) {
      const line = selection.project(rendered);
      if (line.__parentId !== undefined) {
        if (keepChildren) yield line;
        continue;
      }
      const id = String(line.id);
      const edit = edits.get(id);
      let node = edit ? { ...line, ...edit.patch, updatedAt: isoSeconds(edit.at) } : line;
      const added = tags.get(id);
      if (added && Array.isArray(node.tags)) node = { ...node, tags: [...new Set([...(node.tags as string[]), ...added])].sort() };
      keepChildren = !hidden?.has(id) && (!operation.updatedSince || Date.parse(String(node.updatedAt)) >= operation.updatedSince.getTime());
      if (keepChildren) yield node;
    }
  }

  /**
   * `nodes(ids:)` with `... on Customer { … }`: each id's customer as an ordinary query answers it
   * (the same fields and edits as a customers bulk line, its address connection inline as
   * `{ edges: [{ node }] }`), null for an id that is no customer of the shop. At most 250 ids.
   */
  function customerNodes(query: string, variables: Json): Json {
    const ids = argument(query, "ids", variables);
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) throw new GraphqlRequestError("Variable $ids of type [ID!]! was provided invalid value", "INVALID_VARIABLE");
    if (ids.length > 250) throw new GraphqlRequestError(`The number of ids (${ids.length}) exceeds the maximum of 250`, "MAX_INPUT_SIZE_EXCEEDED");
    const open = /\.\.\.\s*on\s+Customer\s*\{/.exec(query)!;
    const fields = block(query, open.index + open[0].length - 1);
    // The same projection as a bulk query selecting these fields (connections as child lines).
    const wanted = new Set(ids as string[]);
    const found = new Map<string, Json>();
    let current: Json | null = null;
    for (const line of currentLines({ query: `{ customers { edges { node { ${fields} } } } }`, root: "customers", updatedSince: null })) {
      if (line.__parentId === undefined) {
        current = wanted.has(String(line.id)) ? { ...line, ...(/\baddressesV2\b/.test(fields) ? { addressesV2: { edges: [] } } : {}) } : null;
        if (current) found.set(String(line.id), current);
      } else if (current?.addressesV2) {
        const { __parentId: _parent, ...node } = line;
        (current.addressesV2 as { edges: Json[] }).edges.push({ node });
      }
    }
    return { nodes: (ids as string[]).map((id) => found.get(id) ?? null) };
  }

  function* orderedLines(operation: BulkOperation): Generator<Json> {
    if (operation.mutation) {
      yield* operation.mutation.results ?? [];
      return;
    }
    if (operation.groupObjects) {
      yield* currentLines(operation);
      return;
    }
    // Ungrouped: parents first, children later (what groupObjects: false allows Shopify to do).
    for (const line of currentLines(operation)) if (line.__parentId === undefined) yield line;
    for (const line of currentLines(operation)) if (line.__parentId !== undefined) yield line;
  }

  function bulkState(operation: BulkOperation): Json {
    const done = operation.status === "COMPLETED";
    const totals = done ? totalsOf(operation) : null;
    return {
      __typename: "BulkOperation",
      id: operation.id,
      status: operation.status,
      errorCode: null,
      objectCount: String(totals?.objects ?? 0),
      rootObjectCount: String(totals?.roots ?? 0),
      fileSize: totals ? String(totals.bytes) : null,
      url: done ? `${origin}/bulk-results/${operation.number}.jsonl` : null,
      partialDataUrl: null,
      createdAt: operation.createdAt,
      completedAt: operation.completedAt,
      query: operation.query,
      type: operation.type,
    };
  }

  function advance(operation: BulkOperation): void {
    if (operation.status === "COMPLETED") return;
    if (operation.pollsLeft > 0) {
      operation.pollsLeft--;
      operation.status = "RUNNING";
      return;
    }
    operation.status = "COMPLETED";
    if (operation.mutation) {
      const { field, variables } = operation.mutation;
      operation.mutation.results = variables.map((vars, line) => ({ data: { [field]: applyTags(field, vars.id, vars.tags).payload }, __lineNumber: line }));
    }
    operation.completedAt = new Date(now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  /** data for one recognised operation; userErrors are part of data, as in Shopify. */
  function execute(operation: SimulatedOperation, query: string, variables: Json): { data: Json; userErrors: boolean } {
    switch (operation) {
      case "shop": {
        const open = query.search(/\bshop\s*\{/);
        const fields = topLevelFields(block(query, query.indexOf("{", open)));
        const unknown = fields.find((field) => !SHOP_FIELDS.has(field));
        if (unknown) throw new GraphqlRequestError(`Field '${unknown}' doesn't exist on type 'Shop'`, "undefinedField");
        const shop = store.shop();
        return { data: { shop: Object.fromEntries(fields.map((field) => [field, shop[field]])) }, userErrors: false };
      }
      case "bulkOperationRunQuery": {
        const inner = argument(query, "query", variables);
        const groupObjects = argument(query, "groupObjects", variables);
        if (typeof inner !== "string") throw new GraphqlRequestError("Argument 'query' on Field 'bulkOperationRunQuery' is required", "missingRequiredArguments");
        if (typeof groupObjects !== "boolean") {
          throw new GraphqlRequestError("Argument 'groupObjects' on Field 'bulkOperationRunQuery' has an invalid value", "argumentLiteralsIncompatible");
        }
        const root = /^\s*(?:query\b[^{]*)?\{\s*(customers|orders|products)\b/.exec(inner)?.[1] as GraphqlBulkRoot | undefined;
        if (!root) {
          return {
            data: { bulkOperationRunQuery: { bulkOperation: null, userErrors: [{ field: ["query"], message: "Invalid bulk query: the simulator serves customers, orders or products", code: "INVALID" }] } },
            userErrors: true,
          };
        }
        const created = createOperation({ root, type: "QUERY", mutation: null, updatedSince: updatedSinceOf(inner, root), query: inner, groupObjects });
        return { data: { bulkOperationRunQuery: { bulkOperation: { id: created.id, status: created.status }, userErrors: [] } }, userErrors: false };
      }
      case "customerNodes":
        return { data: customerNodes(query, variables), userErrors: false };
      case "bulkOperationStatus": {
        const id = argument(query, "id", variables);
        const number = typeof id === "string" ? /^gid:\/\/shopify\/BulkOperation\/(\d+)$/.exec(id)?.[1] : undefined;
        const found = number ? operations.get(Number(number) - 7_000_000) : undefined;
        if (!found) return { data: { node: null }, userErrors: false };
        advance(found);
        return { data: { node: bulkState(found) }, userErrors: false };
      }
      case "currentBulkOperation": {
        const latest = operations.get(bulkCounter);
        if (latest) advance(latest);
        return { data: { currentBulkOperation: latest ? bulkState(latest) : null }, userErrors: false };
      }
      case "discountCodeBasicCreate": {
        // Codes are unique per shop, case-insensitively; a second create answers TAKEN.
        const input = (argument(query, "basicCodeDiscount", variables) ?? {}) as Json;
        const code = typeof input.code === "string" ? input.code.trim() : "";
        const errors: Json[] = [];
        if (!code) errors.push({ field: ["basicCodeDiscount", "code"], code: "BLANK", message: "Code can't be blank" });
        if (!input.title) errors.push({ field: ["basicCodeDiscount", "title"], code: "BLANK", message: "Title can't be blank" });
        if (code && discounts.has(code.toUpperCase())) errors.push({ field: ["basicCodeDiscount", "code"], code: "TAKEN", message: "Code must be unique. Please try a different code." });
        if (errors.length) return { data: { discountCodeBasicCreate: { codeDiscountNode: null, userErrors: errors } }, userErrors: true };
        const id = `gid://shopify/DiscountCodeNode/${9_000_000 + discounts.size + 1}`;
        discounts.set(code.toUpperCase(), { id, input });
        return { data: { discountCodeBasicCreate: { codeDiscountNode: { id }, userErrors: [] } }, userErrors: false };
      }
      case "customerEmailMarketingConsentUpdate": {
        // As Shopify: only SUBSCRIBED, UNSUBSCRIBED and PENDING may be set; the customer needs an
        // email. The new state shows in later reads (bulk queries) with a bumped updatedAt.
        const input = (argument(query, "input", variables) ?? {}) as Json;
        const id = String(input.customerId ?? "");
        const consent = (input.emailMarketingConsent ?? {}) as Json;
        const state = String(consent.marketingState ?? "");
        const customer = store.plan.customers.find((c) => `gid://shopify/Customer/${c.id}` === id);
        const fail = (field: string[], code: string, message: string) => ({ data: { customerEmailMarketingConsentUpdate: { customer: null, userErrors: [{ field, code, message }] } }, userErrors: true });
        if (!customer) return fail(["input", "customerId"], "INVALID", "Customer does not exist");
        if (!customer.email) return fail(["input", "customerId"], "INVALID", "Customer must have an email address");
        if (!["SUBSCRIBED", "UNSUBSCRIBED", "PENDING"].includes(state)) return fail(["input", "emailMarketingConsent", "marketingState"], "INCLUSION", "Marketing state is not included in the list");
        const at = typeof consent.consentUpdatedAt === "string" ? consent.consentUpdatedAt : new Date(now()).toISOString();
        emailConsents.set(id, { marketingState: state, consentUpdatedAt: at });
        edits.set(id, { patch: { ...edits.get(id)?.patch, defaultEmailAddress: { emailAddress: customer.email, marketingState: state, marketingUpdatedAt: at } }, at: new Date(now()) });
        return { data: { customerEmailMarketingConsentUpdate: { customer: { id }, userErrors: [] } }, userErrors: false };
      }
      case "tagsAdd":
      case "tagsRemove": {
        const { ok, payload } = applyTags(operation, argument(query, "id", variables), argument(query, "tags", variables));
        tagCalls.push({ mutation: operation, id: String(argument(query, "id", variables)), tags: tagList(argument(query, "tags", variables)), ok });
        return { data: { [operation]: payload }, userErrors: !ok };
      }
      case "stagedUploadsCreate": {
        const input = argument(query, "input", variables);
        const first = Array.isArray(input) ? (input[0] as Json | undefined) : undefined;
        if (!first || first.resource !== "BULK_MUTATION_VARIABLES" || first.httpMethod !== "POST" || typeof first.filename !== "string") {
          return {
            data: { stagedUploadsCreate: { stagedTargets: [], userErrors: [{ field: ["input"], message: "The simulator stages BULK_MUTATION_VARIABLES uploads by POST only" }] } },
            userErrors: true,
          };
        }
        const key = `tmp/63748243546/bulk/${crypto.randomUUID()}/${first.filename}`;
        return {
          data: {
            stagedUploadsCreate: {
              stagedTargets: [
                {
                  url: `${origin}/staged-uploads`,
                  resourceUrl: null,
                  parameters: [
                    { name: "Content-Type", value: String(first.mimeType ?? "text/jsonl") },
                    { name: "success_action_status", value: "201" },
                    { name: "acl", value: "private" },
                    { name: "key", value: key },
                    { name: "policy", value: Buffer.from(key).toString("base64") },
                  ],
                },
              ],
              userErrors: [],
            },
          },
          userErrors: false,
        };
      }
      case "bulkOperationRunMutation": {
        const mutation = argument(query, "mutation", variables);
        const path = argument(query, "stagedUploadPath", variables);
        const fail = (code: string, message: string) => ({
          data: { bulkOperationRunMutation: { bulkOperation: null, userErrors: [{ field: null, message, code }] } },
          userErrors: true,
        });
        const field = typeof mutation === "string" ? /\b(tagsAdd|tagsRemove)\s*\(/.exec(mutation)?.[1] : undefined;
        if (!field) return fail("INVALID_MUTATION", "The simulator runs tagsAdd or tagsRemove in bulk");
        const upload = typeof path === "string" ? uploads.get(path) : undefined;
        if (upload === undefined) return fail("NO_SUCH_FILE", `staged upload ${String(path)} not found`);
        const running = [...operations.values()].find((op) => op.type === "MUTATION" && op.status !== "COMPLETED");
        if (running) return fail("OPERATION_IN_PROGRESS", `A bulk mutation operation for this app and shop is already in progress: ${running.id}.`);
        let lines: Json[];
        try {
          lines = upload.split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line) as Json);
        } catch {
          return fail("INVALID_STAGED_UPLOAD_FILE", "Unexpected file structure - expected JSONL");
        }
        const created = createOperation({
          root: null,
          type: "MUTATION",
          mutation: { field: field as "tagsAdd" | "tagsRemove", variables: lines, results: null },
          updatedSince: null,
          query: String(mutation),
          groupObjects: false,
        });
        bulkMutations.push({ field: created.mutation!.field, lines: lines.length });
        return { data: { bulkOperationRunMutation: { bulkOperation: { id: created.id, status: created.status }, userErrors: [] } }, userErrors: false };
      }
      case "webPixelCreate":
      case "webPixelUpdate": {
        const input = argument(query, "webPixel", variables);
        const invalid = pixelSettingsError(input);
        const refuse = (error: Json) => ({ data: { [operation]: { webPixel: null, userErrors: [error] } }, userErrors: true });
        if (invalid) return refuse(invalid);
        const raw = (input as Json).settings;
        const settings = typeof raw === "string" ? raw : JSON.stringify(raw);
        if (operation === "webPixelCreate") {
          if (webPixel) return refuse({ field: ["webPixel"], message: "Web pixel is taken.", code: "TAKEN" });
          webPixel = { id: "gid://shopify/WebPixel/3000001", settings };
        } else {
          if (!webPixel || argument(query, "id", variables) !== webPixel.id) return refuse({ field: ["id"], message: "Web pixel not found", code: "NOT_FOUND" });
          webPixel = { ...webPixel, settings };
        }
        return { data: { [operation]: { webPixel: { ...webPixel }, userErrors: [] } }, userErrors: false };
      }
      case "webPixel":
        return { data: { webPixel: webPixel ? { ...webPixel } : null }, userErrors: false };
    }
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  async function handleGraphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const inOutage = outage && Date.now() < outage.until ? outage : null;
    const failure = failures.shift() ?? (inOutage ? inOutage.kinds[inOutage.next++ % inOutage.kinds.length] : undefined);
    if (failure) {
      await readBody(req);
      if ("hang" in failure) {
        requests.push({ operation: null, outcome: "injected-hang", cost: null });
        hanging.add(res);
        res.once("close", () => hanging.delete(res));
        return;
      }
      if ("drop" in failure) {
        requests.push({ operation: null, outcome: "injected-drop", cost: null });
        req.socket.destroy();
        return;
      }
      if (failure.status === 429) {
        requests.push({ operation: null, outcome: "injected-429", cost: null });
        send(res, 429, { errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." }, {
          "Retry-After": String(failure.retryAfterSeconds ?? 2.0),
        });
        return;
      }
      requests.push({ operation: null, outcome: "injected-5xx", cost: null });
      send(res, failure.status, { errors: "Internal Server Error" });
      return;
    }

    const text = await readBody(req);
    if (req.headers["x-shopify-access-token"] !== options.accessToken) {
      requests.push({ operation: null, outcome: "unauthorized", cost: null });
      send(res, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      payload = null;
    }
    if (typeof payload !== "object" || payload === null || typeof (payload as Json).query !== "string") {
      requests.push({ operation: null, outcome: "bad-request", cost: null });
      send(res, 400, { errors: { query: "Required parameter missing or invalid" } });
      return;
    }
    const query = (payload as Json).query as string;
    const rawVariables = (payload as Json).variables;
    const variables = typeof rawVariables === "object" && rawVariables !== null ? (rawVariables as Json) : {};

    const operation = identify(query);
    if (!operation) {
      requests.push({ operation: "unrecognised", outcome: "graphql-error", cost: null });
      send(res, 200, {
        errors: [{ message: `The Admin API simulator does not recognise this document: ${query.replace(/\s+/g, " ").slice(0, 120)}`, extensions: { code: "SIMULATOR_UNRECOGNISED_DOCUMENT" } }],
      });
      return;
    }

    restore();
    const cost = costs[operation];
    if (cost > bucket.available) {
      requests.push({ operation, outcome: "throttled", cost });
      send(res, 200, {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: throttleStatus() } },
      });
      return;
    }

    let result: { data: Json; userErrors: boolean };
    try {
      result = execute(operation, query, variables);
    } catch (error) {
      if (!(error instanceof GraphqlRequestError)) throw error;
      requests.push({ operation, outcome: "graphql-error", cost: null });
      send(res, 200, { errors: [{ message: error.message, extensions: { code: error.code } }] });
      return;
    }
    bucket.available -= cost;
    requests.push({ operation, outcome: result.userErrors ? "user-errors" : "ok", cost });
    send(res, 200, {
      data: result.data,
      extensions: { cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: throttleStatus() } },
    });
  }

  let downloadCut: number | null = null;
  function handleDownload(res: ServerResponse, number: number): void {
    const operation = operations.get(number);
    if (!operation || operation.status !== "COMPLETED") {
      send(res, 404, { error: "NoSuchKey" });
      return;
    }
    const limit = downloadCut ?? Infinity;
    downloadCut = null;
    res.writeHead(200, { "Content-Type": "application/jsonl" });
    Readable.from(
      (function* () {
        let n = 0;
        for (const line of orderedLines(operation)) {
          if (n++ >= limit) return;
          yield `${JSON.stringify(line)}\n`;
        }
      })(),
    ).pipe(res);
  }

  /** The storage service behind a staged upload: a multipart form whose last part is the file. */
  async function handleUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = Buffer.from(await readBody(req), "utf8");
    const form = await new Response(body, { headers: { "content-type": String(req.headers["content-type"] ?? "") } }).formData().catch(() => null);
    const entries = form ? [...form.entries()] : [];
    const key = form?.get("key");
    const last = entries[entries.length - 1];
    if (!form || typeof key !== "string" || !last || last[0] !== "file" || typeof last[1] === "string") {
      send(res, 400, { error: "InvalidArgument: expected the signed fields, then a part named file" });
      return;
    }
    uploads.set(key, await (last[1] as Blob).text());
    res.writeHead(201, { "Content-Type": "application/xml" });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><PostResponse><Key>${key}</Key></PostResponse>`);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://simulator.invalid");
    const graphqlPath = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(url.pathname);
    const download = /^\/bulk-results\/(\d+)\.jsonl$/.exec(url.pathname);
    const fail = (error: unknown) => {
      if (!res.headersSent) send(res, 500, { errors: String(error) });
      else res.destroy();
    };
    if (graphqlPath && req.method === "POST") {
      if (graphqlPath[1] !== apiVersion) {
        req.resume();
        send(res, 404, { errors: "Not Found" });
        return;
      }
      handleGraphql(req, res).catch(fail);
      return;
    }
    if (url.pathname === "/staged-uploads" && req.method === "POST") {
      handleUpload(req, res).catch(fail);
      return;
    }
    if (download && req.method === "GET") {
      handleDownload(res, Number(download[1]));
      return;
    }
    req.resume();
    send(res, 404, { errors: "Not Found" });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  const outcomes: RequestLogEntry["outcome"][] = [
    "ok",
    "throttled",
    "user-errors",
    "graphql-error",
    "unauthorized",
    "bad-request",
    "injected-429",
    "injected-5xx",
    "injected-drop",
    "injected-hang",
  ];

  return {
    origin,
    endpoint: `${origin}/admin/api/${apiVersion}/graphql.json`,
    shopDomain: options.store.shopDomain,
    apiVersion,
    store,
    summary,
    failNext(count, failure) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    cutNextDownload(lines) {
      downloadCut = lines;
    },
    failFor(ms, kinds) {
      outage = { until: Date.now() + ms, kinds, next: 0 };
    },
    tagCalls,
    bulkMutations,
    tagsOf: (id) => [...(tags.get(id) ?? [])].sort(),
    discounts,
    emailConsents,
    editRecord(id, patch, at) {
      if (!knownIds.has(id)) throw new Error(`simulator: no record ${id}`);
      edits.set(id, { patch: { ...edits.get(id)?.patch, ...patch }, at });
    },
    webPixel: () => (webPixel ? { ...webPixel } : null),
    requests,
    stats() {
      const counts = Object.fromEntries(outcomes.map((outcome) => [outcome, 0])) as Record<RequestLogEntry["outcome"], number>;
      for (const entry of requests) counts[entry.outcome]++;
      return { ...counts, total: requests.length };
    },
    bucket() {
      restore();
      return { maximumAvailable: bucket.maximumAvailable, currentlyAvailable: bucket.available, restoreRate: bucket.restoreRate };
    },
    setBucket(next) {
      restore();
      if (next.maximumAvailable !== undefined) bucket.maximumAvailable = next.maximumAvailable;
      if (next.restoreRate !== undefined) bucket.restoreRate = next.restoreRate;
      if (next.currentlyAvailable !== undefined) bucket.available = next.currentlyAvailable;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        for (const res of hanging) res.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
