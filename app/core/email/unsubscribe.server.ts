// One-click unsubscribe (RFC 8058) and tracking, behind signed tokens (app/core/email/tokens.ts).
import type { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { pickLocale, type FlowLocale } from "#app/core/flows/model.ts";
import { verifyLinkToken } from "./tokens.ts";

export interface UnsubscribeTarget {
  storeId: number;
  customerId: number;
  messageId: number | null;
  email: string;
  storeName: string;
  locale: FlowLocale;
  subscribed: boolean;
}

/** The customer a token names, or null when the signature is bad or the customer is gone. */
export async function unsubscribeTarget(db: Db, key: Buffer, token: string): Promise<UnsubscribeTarget | null> {
  const t = verifyLinkToken(key, token);
  if (!t || t.k !== "u") return null;
  const customer = await db.customer.findUnique({ where: { storeId_id: { storeId: t.s, id: t.c } }, include: { store: { select: { name: true, locale: true } } } });
  if (!customer || customer.erasedAt) return null;
  return {
    storeId: t.s,
    customerId: t.c,
    messageId: t.m ?? null,
    email: customer.email ?? "",
    storeName: customer.store.name,
    locale: pickLocale(customer.locale, customer.store.locale),
    subscribed: customer.acceptsEmailMarketing,
  };
}

/**
 * Record the choice: no more marketing email, when, and an "unsubscribed" event on the timeline —
 * in one transaction with `andThen` (the route queues the push to the store there), so a crash
 * leaves either all of it or none: a customer whose click was lost can click again.
 */
export async function recordUnsubscribe(
  db: Db,
  target: UnsubscribeTarget,
  via: "one-click" | "page",
  now: Date = new Date(),
  andThen?: (tx: Prisma.TransactionClient) => Promise<unknown>,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const changed = await tx.customer.updateMany({
      where: { storeId: target.storeId, id: target.customerId, acceptsEmailMarketing: true },
      // emailUnsubscribedAt keeps a stale "subscribed" from the platform from undoing it (see the schema).
      data: { acceptsEmailMarketing: false, consentUpdatedAt: now, emailUnsubscribedAt: now },
    });
    if (changed.count === 0) return false;
    await tx.event.create({ data: { storeId: target.storeId, customerId: target.customerId, type: "unsubscribed", occurredAt: now, data: { via, messageId: target.messageId, channel: "email" } } });
    await andThen?.(tx);
    return true;
  });
}

/** A tracked click: the first one is recorded (and counts as an open); the URL to go to. */
export async function recordClick(db: Db, key: Buffer, token: string, now: Date = new Date()): Promise<string | null> {
  const t = verifyLinkToken(key, token);
  if (!t || t.k !== "c") return null;
  await db.message.updateMany({ where: { storeId: t.s, id: t.m, clickedAt: null }, data: { clickedAt: now } });
  await db.message.updateMany({ where: { storeId: t.s, id: t.m, openedAt: null }, data: { openedAt: now } });
  return t.u;
}

export async function recordOpen(db: Db, key: Buffer, token: string, now: Date = new Date()): Promise<boolean> {
  const t = verifyLinkToken(key, token);
  if (!t || t.k !== "o") return false;
  await db.message.updateMany({ where: { storeId: t.s, id: t.m, openedAt: null }, data: { openedAt: now } });
  return true;
}
