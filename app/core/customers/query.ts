// The customers index's state: what the URL may say (search, filters, sort, page cursor), validated
// with zod so a bad link gets a clear error naming the parameter instead of a wrong page. Pure: the
// SQL that runs it is in search.server.ts.
import { z } from "zod";
import { RFM_SEGMENTS } from "#app/core/analytics/segments.ts";

export const CUSTOMER_SORTS = ["last_order", "total_spent", "orders", "name"] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];
export const PAGE_SIZE = 50;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { message: `at most ${max} characters` })
    .optional()
    .transform((v) => (v ? v : undefined));

export const customerQuerySchema = z.object({
  q: optionalText(100),
  segment: z.enum(RFM_SEGMENTS).optional(),
  hasOrders: z.enum(["yes", "no"]).optional(),
  consent: z.enum(["subscribed", "not_subscribed"]).optional(),
  tag: optionalText(255),
  country: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, { message: "a two-letter country code (BR, US…)" })
    .transform((v) => v.toUpperCase())
    .optional(),
  state: optionalText(60),
  sort: z.enum(CUSTOMER_SORTS).default("last_order"),
  dir: z.enum(["asc", "desc"]).optional(),
  after: z.string().max(400).optional(),
  before: z.string().max(400).optional(),
});

export type CustomerQuery = z.output<typeof customerQuerySchema> & { dir: "asc" | "desc" };

export interface QueryIssue {
  path: string;
  message: string;
}

/** Name ascending, everything else descending (most recent, biggest first) unless the URL says. */
export function defaultDirection(sort: CustomerSort): "asc" | "desc" {
  return sort === "name" ? "asc" : "desc";
}

/** Parse URL search parameters; empty values are absent. */
export function parseCustomerQuery(params: URLSearchParams): { ok: true; query: CustomerQuery } | { ok: false; issues: QueryIssue[] } {
  const raw: Record<string, string> = {};
  for (const [k, v] of params) if (v !== "" && k in customerQuerySchema.shape) raw[k] = v;
  const r = customerQuerySchema.safeParse(raw);
  if (!r.success) return { ok: false, issues: r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) };
  if (r.data.after && r.data.before) return { ok: false, issues: [{ path: "before", message: "give either after or before, not both" }] };
  return { ok: true, query: { ...r.data, dir: r.data.dir ?? defaultDirection(r.data.sort) } };
}

/**
 * A position in the ordered list: the phase (customers with orders, then without, for the order
 * sorts), the sort key of the row (ISO date, integer as text, or lower-case name) and its id.
 */
export const cursorSchema = z.object({
  p: z.enum(["buyers", "others", "all"]),
  k: z.string().max(300).nullable(),
  i: z.number().int().positive(),
});
export type Cursor = z.output<typeof cursorSchema>;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), "utf8").toString("base64url");
}

export function decodeCursor(s: string, path: "after" | "before"): { ok: true; cursor: Cursor } | { ok: false; issue: QueryIssue } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
  } catch {
    return { ok: false, issue: { path, message: "not a page cursor of this list (open the first page again)" } };
  }
  const r = cursorSchema.safeParse(json);
  if (!r.success) return { ok: false, issue: { path, message: `not a page cursor of this list: ${r.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}` } };
  return { ok: true, cursor: r.data };
}

/** Digits of a search term when it looks like a phone number or CPF (≥ 3 digits, only digits and separators). */
export function searchDigits(q: string): string | null {
  if (!/^[\d\s().+\-/]+$/.test(q)) return null;
  const d = q.replace(/\D/g, "");
  return d.length >= 3 ? d : null;
}
