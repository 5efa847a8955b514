// Every Admin GraphQL document caderninho sends, validated against the Admin API schema of our
// API version (2026-10), plus the bulk-operation rules Shopify's docs state for bulk queries.
//
// The schema: no full 2026-10 copy can be had offline. Public introspection copies exist only for
// 2026-07 and older (6-7 MB JSON committed by other apps; `fetch` snapshots leave such files out,
// and paging one through the file index at 16,000 characters per read is ~440 reads). So the
// schema is a hand-maintained SDL subset, test/fixtures/shopify-admin-2026-10.subset.graphql, with
// exactly the types our documents use, each naming the shopify.dev page it was checked against.
// A document that selects something missing from the subset fails here: either the document is
// wrong or the subset needs the type, checked against the docs first.
import { readFileSync } from "node:fs";
import {
  buildSchema,
  getNamedType,
  getVariableValues,
  Kind,
  NoDeprecatedCustomRule,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { describe, expect, it } from "vitest";
import {
  BULK_QUERIES,
  BULK_RUN_MUTATION as BULK_QUERY_RUN,
  BULK_STATUS_QUERY,
  CUSTOMER_NODES_QUERY,
  NODES_PER_CALL,
  bulkQueryWithSearch,
  type BulkQueryName,
} from "#adapters/shopify/bulk-operations.server.ts";
import { SHOP_BASICS_QUERY } from "#adapters/shopify/shopify-app.server.ts";
import {
  BULK_RUN_MUTATION as BULK_MUTATION_RUN,
  bulkVariablesUploadInput,
  customerGid,
  STAGED_UPLOADS_CREATE,
  TAGS_ADD,
  TAGS_REMOVE,
} from "#adapters/shopify/tag-push.server.ts";
import { WEB_PIXEL_CREATE, WEB_PIXEL_QUERY, WEB_PIXEL_UPDATE } from "#adapters/shopify/web-pixel.server.ts";
import { EMAIL_CONSENT_UPDATE, emailUnsubscribeInput } from "#adapters/shopify/email-consent.server.ts";

const schema = buildSchema(readFileSync(new URL("../fixtures/shopify-admin-2026-10.subset.graphql", import.meta.url), "utf8"));

/** Validation errors (spec rules + no deprecated fields, arguments or enum values) as strings. */
function problems(source: string, target: GraphQLSchema = schema): string[] {
  const document = parse(source);
  return [...validate(target, document), ...validate(target, document, [NoDeprecatedCustomRule])].map((e) => e.message);
}

function onlyOperation(document: DocumentNode): OperationDefinitionNode {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  expect(operations).toHaveLength(1);
  return operations[0]!;
}

/** Whether the field being visited returns a connection (Shopify names them *Connection). */
const atConnection = (typeInfo: TypeInfo) => getNamedType(typeInfo.getType() ?? undefined)?.name.endsWith("Connection") ?? false;

/**
 * Shopify's rules for a bulk query (bulkOperationRunQuery docs, 2026-10: "The query must include
 * at least one connection field and supports up to five connections with a maximum nesting depth
 * of two levels"). Connections are fields whose type is a *Connection; depth counts connections
 * inside connections. Returns the rule breaches.
 */
function bulkQueryBreaches(source: string): string[] {
  const document = parse(source);
  const operation = onlyOperation(document);
  const breaches: string[] = [];
  if (operation.operation !== "query") breaches.push(`a bulk query must be a query, got ${operation.operation}`);
  if (document.definitions.some((d) => d.kind === Kind.FRAGMENT_DEFINITION)) breaches.push("fragments are not used in bulk queries");
  const typeInfo = new TypeInfo(schema);
  const path: string[] = [];
  const connections: string[] = [];
  let deepest = 0;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          if (atConnection(typeInfo)) {
            path.push(node.name.value);
            connections.push(path.join(" > "));
            deepest = Math.max(deepest, path.length);
          }
          return undefined;
        },
        leave() {
          if (atConnection(typeInfo)) path.pop();
        },
      },
    }),
  );
  if (connections.length === 0) breaches.push("a bulk query needs at least one connection");
  if (connections.length > 5) breaches.push(`${connections.length} connections (at most 5): ${connections.join(", ")}`);
  if (deepest > 2) breaches.push(`connections nested ${deepest} deep (at most 2): ${connections.join(", ")}`);
  return breaches;
}

/** The variable values we send, coerced against the operation's variable definitions. */
function variableProblems(source: string, values: Record<string, unknown>): string[] {
  const operation = onlyOperation(parse(source));
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], values);
  return "errors" in result ? (result.errors ?? []).map((e) => e.message) : [];
}

const bulkNames = Object.keys(BULK_QUERIES) as BulkQueryName[];
const since = "updated_at:>='2026-11-01T00:00:00.000Z'";

/** Every document sent to the Admin API as a request body `query`. */
const requestDocuments: Record<string, string> = {
  "bulk-operations BULK_RUN_MUTATION": BULK_QUERY_RUN,
  "bulk-operations BULK_STATUS_QUERY": BULK_STATUS_QUERY,
  "bulk-operations CUSTOMER_NODES_QUERY": CUSTOMER_NODES_QUERY,
  "tag-push TAGS_ADD": TAGS_ADD,
  "tag-push TAGS_REMOVE": TAGS_REMOVE,
  "tag-push STAGED_UPLOADS_CREATE": STAGED_UPLOADS_CREATE,
  "tag-push BULK_RUN_MUTATION": BULK_MUTATION_RUN,
  "shopify-app SHOP_BASICS_QUERY": SHOP_BASICS_QUERY,
  "web-pixel WEB_PIXEL_CREATE": WEB_PIXEL_CREATE,
  "web-pixel WEB_PIXEL_UPDATE": WEB_PIXEL_UPDATE,
  "web-pixel WEB_PIXEL_QUERY": WEB_PIXEL_QUERY,
  "email-consent EMAIL_CONSENT_UPDATE": EMAIL_CONSENT_UPDATE,
};

/** Every query run by bulkOperationRunQuery (passed as its `query` string). */
const bulkQueries: Record<string, string> = Object.fromEntries(
  bulkNames.flatMap((name) => [
    [`BULK_QUERIES.${name}`, BULK_QUERIES[name]],
    [`bulkQueryWithSearch(${name})`, bulkQueryWithSearch(name, since)],
  ]),
);

/** Every mutation run by bulkOperationRunMutation (passed as its `mutation` string). */
const bulkMutations: Record<string, string> = { TAGS_ADD, TAGS_REMOVE };

describe("the 2026-10 schema subset", () => {
  it("builds, and knows what it refuses (deprecated fields, unknown fields, deep bulk queries)", () => {
    // The refusals our documents must never trigger, shown to work on documents that should.
    expect(problems("{ customers { edges { node { id email } } } }").join("\n")).toMatch(/Customer\.email is deprecated/);
    expect(problems("{ customers { edges { node { defaultPhoneNumber { marketingState } } } } }").join("\n")).toMatch(/deprecated/);
    expect(problems("{ orders { edges { node { id totalPrice } } } }").join("\n")).toMatch(/Cannot query field "totalPrice"/);
    expect(problems('mutation { bulkOperationRunMutation(mutation: "m", stagedUploadPath: "p", groupObjects: false) { bulkOperation { id } } }').join("\n")).toMatch(
      /groupObjects.*deprecated/,
    );
    expect(bulkQueryBreaches("{ orders { edges { node { lineItems { edges { node { product { variants { edges { node { id } } } } } } } } } } }").join("\n")).toMatch(
      /nested 3 deep/,
    );
    expect(bulkQueryBreaches("{ shop { name } }")).toContain("a bulk query needs at least one connection");
  });
});

describe("documents sent as Admin API requests", () => {
  it.each(Object.entries(requestDocuments))("%s is valid against 2026-10 and selects nothing deprecated", (_name, source) => {
    expect(problems(source)).toEqual([]);
  });

  it("every named operation is unique, so the client's per-document cost memory never mixes two documents", () => {
    const names = Object.values(requestDocuments).map((source) => onlyOperation(parse(source)).name?.value ?? "anonymous");
    expect(new Set(names).size).toBe(names.length);
  });

  it("the variables we send coerce against the documents' variable types", () => {
    expect(variableProblems(BULK_QUERY_RUN, { query: BULK_QUERIES.orders, groupObjects: true })).toEqual([]);
    expect(variableProblems(BULK_STATUS_QUERY, { id: "gid://shopify/BulkOperation/1" })).toEqual([]);
    expect(NODES_PER_CALL).toBeLessThanOrEqual(250);
    expect(variableProblems(CUSTOMER_NODES_QUERY, { ids: Array.from({ length: NODES_PER_CALL }, (_, i) => customerGid(String(7001 + i))) })).toEqual([]);
    expect(variableProblems(STAGED_UPLOADS_CREATE, { input: [bulkVariablesUploadInput("caderninho-tagsAdd.jsonl")] })).toEqual([]);
    expect(variableProblems(BULK_MUTATION_RUN, { mutation: TAGS_ADD, stagedUploadPath: "tmp/1/bulk/x.jsonl", clientIdentifier: "caderninho-tagsAdd-1" })).toEqual([]);
    // One JSONL line of the bulk tag push (and a direct call) carries exactly these variables.
    const line = { id: customerGid("7001"), tags: ["caderninho:vip"] };
    expect(variableProblems(TAGS_ADD, line)).toEqual([]);
    expect(variableProblems(TAGS_REMOVE, line)).toEqual([]);
    const webPixel = { settings: JSON.stringify({ storeKey: "0123456789abcdef", endpoint: "https://app.example/pixel/events" }) };
    expect(variableProblems(WEB_PIXEL_CREATE, { webPixel })).toEqual([]);
    expect(variableProblems(WEB_PIXEL_UPDATE, { id: "gid://shopify/WebPixel/1", webPixel })).toEqual([]);
    expect(variableProblems(EMAIL_CONSENT_UPDATE, { input: emailUnsubscribeInput("7001", new Date("2026-11-23T10:00:00Z")) })).toEqual([]);
    // …and a wrong value is caught, so the checks above are not vacuous.
    expect(variableProblems(STAGED_UPLOADS_CREATE, { input: [{ ...bulkVariablesUploadInput("x.jsonl"), resource: "BULK_VARIABLES" }] }).join("\n")).toMatch(/BULK_VARIABLES/);
  });
});

describe("bulk queries (bulkOperationRunQuery)", () => {
  it.each(Object.entries(bulkQueries))("%s is a valid 2026-10 query and selects nothing deprecated", (_name, source) => {
    expect(problems(source)).toEqual([]);
  });

  it.each(Object.entries(bulkQueries))("%s keeps to the bulk rules (1–5 connections, nesting ≤ 2, no fragments)", (_name, source) => {
    expect(bulkQueryBreaches(source)).toEqual([]);
  });

  it("bulkQueryWithSearch puts the search on the root connection (otherwise it would silently fetch everything)", () => {
    for (const name of bulkNames) {
      const root = onlyOperation(parse(bulkQueryWithSearch(name, since))).selectionSet.selections[0]!;
      expect(root.kind === Kind.FIELD && root.name.value).toBe(name);
      const argument = root.kind === Kind.FIELD ? root.arguments?.find((a) => a.name.value === "query") : undefined;
      expect(argument?.value.kind === Kind.STRING && argument.value.value).toBe(since);
    }
  });
});

describe("bulk mutations (bulkOperationRunMutation)", () => {
  it.each(Object.entries(bulkMutations))("%s is one mutation with one top-level field whose variables come from the JSONL lines", (_name, source) => {
    const operation = onlyOperation(parse(source));
    expect(operation.operation).toBe("mutation");
    expect(operation.selectionSet.selections).toHaveLength(1);
    expect(problems(source)).toEqual([]);
  });
});
