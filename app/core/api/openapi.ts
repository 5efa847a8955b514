// The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the handlers use (zod 4's
// JSON Schema output is draft 2020-12, which is OpenAPI 3.1's schema dialect).
import { z } from "zod";
import * as s from "./schemas.ts";

const COMPONENTS = {
  Customer: s.customerSchema,
  CustomerPage: s.customerPageSchema,
  Segment: s.segmentSchema,
  SegmentList: s.segmentListSchema,
  SegmentMemberPage: s.memberPageSchema,
  StoreStats: s.statsSchema,
  Error: s.errorSchema,
} as const;
type ComponentName = keyof typeof COMPONENTS;

type JsonObject = Record<string, unknown>;

function componentSchemas(): Record<ComponentName, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}` });
  const out = {} as Record<ComponentName, JsonObject>;
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema as JsonObject;
    out[id as ComponentName] = rest;
  }
  return out;
}

function queryParameters(schema: z.ZodObject): JsonObject[] {
  const json = z.toJSONSchema(schema, { io: "input" }) as { properties: Record<string, JsonObject>; required?: string[] };
  return Object.entries(json.properties).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return { name, in: "query", required: json.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: rest };
  });
}

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (name: ComponentName) => ({ content: { "application/json": { schema: ref(name) } } });
const errors = {
  "400": { description: "Invalid query (issues name the parameter)", ...jsonContent("Error") },
  "401": { description: "Missing, unknown or revoked token", ...jsonContent("Error") },
  "429": { description: "Rate limited; see Retry-After", headers: { "Retry-After": { schema: { type: "integer" } } }, ...jsonContent("Error") },
};
const notFound = { "404": { description: "Not found in the token's store", ...jsonContent("Error") } };
const idParameter = (name: string, description: string) => ({ name, in: "path", required: true, description, schema: { type: "integer", minimum: 1 } });

function op(summary: string, response: ComponentName, parameters: JsonObject[], extra: JsonObject = {}) {
  return { get: { summary, parameters, responses: { "200": { description: "OK", ...jsonContent(response) }, ...errors, ...extra } } };
}

let cached: JsonObject | null = null;

export function openApiDocument(): JsonObject {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "caderninho API",
      version: "1.0.0",
      description:
        "Read-only access to one store's customers, segments and metrics. Authenticate with `Authorization: Bearer <token>` " +
        "(created in Settings → API). Lists are keyset-paginated: pass `page.nextCursor` as `cursor`. Money is integer minor units as a string.",
    },
    servers: [{ url: "/api/v1" }],
    security: [{ bearer: [] }],
    paths: {
      "/customers": op("List customers", "CustomerPage", queryParameters(s.customerListQuery), notFound),
      "/customers/{id}": op("One customer", "Customer", [idParameter("id", "Customer id")], notFound),
      "/segments": op("List segments", "SegmentList", []),
      "/segments/{id}": op("One segment", "Segment", [idParameter("id", "Segment id")], notFound),
      "/segments/{id}/members": op("A segment's members", "SegmentMemberPage", [idParameter("id", "Segment id"), ...queryParameters(s.memberListQuery)], notFound),
      "/stats": op("Store metrics", "StoreStats", queryParameters(s.statsQuery)),
    },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } }, schemas: componentSchemas() },
  };
  return cached;
}
