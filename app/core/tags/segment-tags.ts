// Segment tags pushed back to the platform (Shopify customer tags, WooCommerce customer meta).
// caderninho owns every tag that starts with the store's prefix ("crm:" by default) and nothing
// else: a push adds the prefixed tags a customer should have, removes prefixed tags they should no
// longer have, and never touches the merchant's own tags. Shopify compares tags without regard to
// case, so the diff does too (no churn from "crm:VIP" vs "crm:vip").

export const DEFAULT_TAG_PREFIX = "crm:";

/** Shopify: a tag is at most 255 characters and cannot contain a comma. */
export const MAX_TAG_LENGTH = 255;

export class TagPrefixError extends Error {
  override name = "TagPrefixError";
}

/** A usable prefix: 2–20 characters, no comma, no surrounding spaces, ends with a separator. */
export function validateTagPrefix(prefix: string): string {
  if (prefix !== prefix.trim()) throw new TagPrefixError("the tag prefix cannot start or end with a space");
  if (prefix.length < 2 || prefix.length > 20) throw new TagPrefixError("the tag prefix must have 2 to 20 characters");
  if (prefix.includes(",")) throw new TagPrefixError("the tag prefix cannot contain a comma");
  if (!/[:_\-/.]$/.test(prefix)) throw new TagPrefixError('the tag prefix must end with ":", "-", "_", "/" or "." so our tags stand apart');
  return prefix;
}

/**
 * The platform tag of a segment: prefix + the segment's tag (or its name), with commas and runs of
 * spaces removed and cut to Shopify's limit. "Campeões, SP" → "crm:Campeões SP".
 */
export function segmentTagName(prefix: string, segment: { tag: string | null; name: string }): string {
  const base = (segment.tag?.trim() || segment.name).replace(/,/g, " ").replace(/\s+/g, " ").trim();
  return `${prefix}${base}`.slice(0, MAX_TAG_LENGTH).trim();
}

export function isManagedTag(tag: string, prefix: string): boolean {
  return tag.toLowerCase().startsWith(prefix.toLowerCase());
}

export interface TagDiff {
  add: string[];
  remove: string[];
}

/**
 * What to change so the customer's managed tags equal `desired` (all of which must carry the
 * prefix). Tags without the prefix are never in `remove`. Empty add and remove = unchanged.
 */
export function diffManagedTags(current: readonly string[], desired: readonly string[], prefix: string): TagDiff {
  const have = new Map<string, string>();
  for (const tag of current) if (isManagedTag(tag, prefix)) have.set(tag.toLowerCase(), tag);
  const want = new Map<string, string>();
  for (const tag of desired) {
    if (!isManagedTag(tag, prefix)) throw new TagPrefixError(`desired tag "${tag}" does not start with the prefix "${prefix}"`);
    if (!want.has(tag.toLowerCase())) want.set(tag.toLowerCase(), tag);
  }
  const add = [...want].filter(([key]) => !have.has(key)).map(([, tag]) => tag);
  const remove = [...have].filter(([key]) => !want.has(key)).map(([, tag]) => tag);
  return { add: add.sort(), remove: remove.sort() };
}

/** One customer's change, as the platform adapters receive it. */
export interface TagChange extends TagDiff {
  customerId: number;
  /** The platform's customer id (Shopify numeric id, WooCommerce user id). */
  platformId: string;
  /** Every managed tag the customer should have (platforms that store the whole list, like WooCommerce meta). */
  desired: string[];
}

export type TagChangeResult = { customerId: number; ok: true } | { customerId: number; ok: false; reason: string };

/** Report of a push, as the UI shows it. */
export interface TagPushReport {
  pushed: number;
  unchanged: number;
  failed: number;
  /** The first failures with their reasons (capped, so the report stays small). */
  failures: { customerId: number; platformId: string; reason: string }[];
  /** "direct" (one call per change) or "bulk" (bulk mutation with a staged upload). */
  mode: "direct" | "bulk" | "none";
}
