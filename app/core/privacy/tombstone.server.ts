// Erased customers leave a tombstone: their Customer row stays (anonymous, so orders keep counting
// in the store's totals) with `platformId` replaced by `erased:<hash of store + platform id>`.
// A webhook, reconciliation or backfill that arrives later with the same platform id is then
// recognised (the hash matches) and is never turned back into a person: its orders and checkouts
// are linked to the anonymous row with their personal fields stripped.
//
// The hash is sha256 (first 32 hex chars) of "<storeId>:<platformId>", computable in SQL too (the
// bulk loader checks staged rows with it). It cannot be reversed, but — like any tombstone that
// must recognise a returning id — it can confirm a guess; for WooCommerce guests the platform id
// is `guest:<email>`, so a guessed e-mail can be checked by someone with database access. That is
// the price of "a late webhook must not re-create the customer"; nothing else about them is kept.
import { createHash } from "node:crypto";
import { Prisma } from "@prisma/client";
import type { NormalizedCheckout, NormalizedCustomer, NormalizedOrder } from "#app/core/types.ts";
import type { RawTx } from "#app/db/raw-tx.server.ts";

export const TOMBSTONE_PREFIX = "erased:";

export function tombstoneFor(storeId: number, platformId: string): string {
  return TOMBSTONE_PREFIX + createHash("sha256").update(`${storeId}:${platformId}`, "utf8").digest("hex").slice(0, 32);
}

/** The same tombstone as an SQL expression over a text expression (storeId is `$1`-style param text). */
export function tombstoneSql(storeIdExpr: string, platformIdExpr: string): string {
  return `'${TOMBSTONE_PREFIX}' || left(encode(sha256(convert_to(${storeIdExpr}::text || ':' || ${platformIdExpr}, 'UTF8')), 'hex'), 32)`;
}

/** Platform ids (of those given) that belong to erased customers → the anonymous row's id. */
export async function erasedCustomerIds(tx: Pick<RawTx, "$queryRaw">, storeId: number, platformIds: Iterable<string>): Promise<Map<string, number>> {
  const byTombstone = new Map<string, string>();
  for (const p of platformIds) if (!p.startsWith(TOMBSTONE_PREFIX)) byTombstone.set(tombstoneFor(storeId, p), p);
  const out = new Map<string, number>();
  if (!byTombstone.size) return out;
  const rows = await tx.$queryRaw<{ id: number; platformId: string }[]>(
    Prisma.sql`SELECT id, "platformId" FROM "Customer" WHERE "storeId" = ${storeId} AND "platformId" = ANY(${[...byTombstone.keys()]}::text[])`,
  );
  for (const r of rows) out.set(byTombstone.get(r.platformId)!, r.id);
  return out;
}

const anonymousOrder = (o: NormalizedOrder): NormalizedOrder => ({
  ...o,
  customer: null,
  email: null,
  landingSite: null,
  referringSite: null,
  tags: [],
  payments: o.payments.map((p) => ({ ...p, boletoUrl: null, boletoBarcode: null, pixCode: null })),
});

const anonymousCheckout = (c: NormalizedCheckout): NormalizedCheckout => ({ ...c, customer: null, email: null, phone: null, recoveryUrl: null });

export interface ErasedFilter {
  customers: NormalizedCustomer[];
  orders: NormalizedOrder[];
  checkouts: NormalizedCheckout[];
  /** Orders / checkouts (by platform id) that belonged to an erased customer → the anonymous row. */
  orderOwners: Map<string, number>;
  checkoutOwners: Map<string, number>;
  erased: Map<string, number>;
}

/**
 * Drop erased customers from a batch and strip their orders and checkouts to the anonymous
 * amounts. Callers link the returned owners to the erased rows (so store totals stay right).
 */
export async function withoutErased(
  tx: Pick<RawTx, "$queryRaw">,
  storeId: number,
  batch: { customers: NormalizedCustomer[]; orders: NormalizedOrder[]; checkouts: NormalizedCheckout[] },
): Promise<ErasedFilter> {
  const erased = await erasedCustomerIds(tx, storeId, batch.customers.map((c) => c.platformId));
  const orderOwners = new Map<string, number>();
  const checkoutOwners = new Map<string, number>();
  if (!erased.size) return { ...batch, orderOwners, checkoutOwners, erased };
  const ownerOf = (pid: string | undefined) => (pid === undefined ? undefined : erased.get(pid));
  return {
    customers: batch.customers.filter((c) => !erased.has(c.platformId)),
    orders: batch.orders.map((o) => {
      const owner = ownerOf(o.customer?.platformId);
      if (owner === undefined) return o;
      orderOwners.set(o.platformId, owner);
      return anonymousOrder(o);
    }),
    checkouts: batch.checkouts.map((c) => {
      const owner = ownerOf(c.customer?.platformId);
      if (owner === undefined) return c;
      checkoutOwners.set(c.platformId, owner);
      return anonymousCheckout(c);
    }),
    orderOwners,
    checkoutOwners,
    erased,
  };
}
