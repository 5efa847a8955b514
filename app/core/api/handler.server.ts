// Every /api/v1 endpoint goes through apiHandler: bearer-token authentication (401), a token bucket
// per token shared by every web process (429 + Retry-After; rate-limit.server.ts), zod-checked queries (400 with paths), JSON errors for everything
// else (404 for ids the token's store does not own, 500 without internals).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import type { Services } from "#app/server/services.server.ts";
import { errorBody, zodErrorBody } from "./errors.ts";
import { takeApiRequest } from "./rate-limit.server.ts";
import { authenticateApiToken, type ApiPrincipal } from "./tokens.server.ts";

/** Requests per minute per token, with bursts up to API_BURST. */
export const API_RATE_PER_MINUTE = 120;
export const API_BURST = 60;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);

const HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" };

export function apiJson(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)), { status, headers: { ...HEADERS, ...headers } });
}

export interface ApiRequest {
  services: Services;
  principal: ApiPrincipal;
  url: URL;
  params: Record<string, string | undefined>;
  /** Parse the query string with a zod schema (throws a 400 ApiError-like response on failure). */
  query<T extends z.ZodType>(schema: T): z.infer<T>;
}

class QueryError extends Error {
  constructor(readonly error: z.ZodError) {
    super("invalid query");
  }
}

export function apiHandler(fn: (req: ApiRequest) => Promise<unknown>) {
  return async ({ request, context, params }: LoaderFunctionArgs): Promise<Response> => {
    const services = context.services as Services;
    try {
      if (request.method !== "GET" && request.method !== "HEAD") return apiJson(405, errorBody("method_not_allowed", "this API is read-only"), { Allow: "GET" });
      const principal = await authenticateApiToken(services.db, request.headers.get("authorization"));
      if (!principal) return apiJson(401, errorBody("unauthorized", "missing, unknown or revoked API token"), { "WWW-Authenticate": 'Bearer realm="caderninho"' });
      if (!(await takeApiRequest(services.db, principal, { perMinute: API_RATE_PER_MINUTE, burst: API_BURST }))) {
        return apiJson(429, errorBody("rate_limited", `at most ${API_RATE_PER_MINUTE} requests a minute per token`), { "Retry-After": String(Math.ceil(60 / API_RATE_PER_MINUTE)) });
      }
      const url = new URL(request.url);
      const query = <T extends z.ZodType>(schema: T): z.infer<T> => {
        const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
        if (!parsed.success) throw new QueryError(parsed.error);
        return parsed.data;
      };
      return apiJson(200, await fn({ services, principal, url, params, query }));
    } catch (e) {
      if (e instanceof QueryError) return apiJson(400, zodErrorBody(e.error));
      if (e instanceof ApiError) return apiJson(e.status, errorBody(e.code, e.message));
      services.log.error({ err: e instanceof Error ? e.message : String(e), url: request.url }, "API request failed");
      return apiJson(500, errorBody("internal", "internal error"));
    }
  };
}

/** A path id, or 404 (an id that is not a number names nothing). */
export function pathId(value: string | undefined, what: string): number {
  const parsed = z.coerce.number().int().positive().max(2_147_483_647).safeParse(value);
  if (!parsed.success) throw notFound(what);
  return parsed.data;
}

/** Routes answer only GET; anything else is a JSON 405 rather than Remix's HTML error. */
export const apiReadOnly = () => apiJson(405, errorBody("method_not_allowed", "this API is read-only"), { Allow: "GET" });
