// "Right to be forgotten" (LGPD art. 18 VI, GDPR art. 17): erase one customer everywhere we hold
// them, in ONE transaction, so a failure leaves everything as it was and a retry starts over.
//
// What stays is anonymous and keeps the store's numbers right: the Customer row (no name, contact,
// address, CPF, birth date, gender, note or tags; `platformId` becomes a tombstone, see
// tombstone.server.ts; `erasedAt` set; state/country kept for regional totals), its orders and
// checkouts with their amounts (no e-mail, landing/referrer URLs, tags, recovery link, boleto or
// Pix data), its stats, and its messages as counts (no address or subject).
// What goes: timeline events (also storefront events that name them without a customer link),
// segment memberships, RFM snapshots, Mailchimp sync records, data-request exports, pending jobs
// that name them (queued messages are cancelled), and the
// raw webhook bodies that mention them (by resource id, customer id inside the body, e-mail,
// phone or CPF). Flow enrollments are stopped.
//
// Raw bodies still waiting to be processed (status `received`) are left to the worker: they are
// processed seconds later, the tombstone strips them, and webhook processing blanks bodies that
// touched an erased customer (app/jobs/webhook-process.server.ts). Blanking them now would lose
// the order amounts they carry.
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { tombstoneFor, TOMBSTONE_PREFIX } from "./tombstone.server.ts";

type Tx = Prisma.TransactionClient;

export type PrivacySource = "admin" | "shopify" | "woocommerce";

export interface EraseOptions {
  source?: PrivacySource;
  /** Makes a replay a no-op (webhook receipt key); a random one for admin requests. */
  dedupeKey?: string;
  /** Shopify `orders_to_redact`: orders (platform ids) to anonymise even if not linked to the customer. */
  orderPlatformIds?: string[];
}

export interface EraseResult {
  customerId: number;
  requestId: number;
  /** True when the customer had already been erased (nothing more to do). */
  alreadyErased: boolean;
  counts: Record<string, number>;
}

const TX = { timeout: 120_000, maxWait: 30_000 };

/** Erase a customer by our row id. Null when the store has no such customer (→ 404). */
export async function eraseCustomer(services: { db: Db }, storeId: number, customerId: number, reason: string | null, opts: EraseOptions = {}): Promise<EraseResult | null> {
  return services.db.$transaction((tx) => eraseCustomerInTx(tx, storeId, customerId, reason, opts), TX);
}

/** Find a customer by platform id (or its tombstone) — what compliance webhooks name. */
export async function customerIdByPlatformId(tx: Tx | Db, storeId: number, platformId: string): Promise<number | null> {
  const found = await tx.customer.findFirst({
    where: { storeId, platformId: { in: [platformId, tombstoneFor(storeId, platformId)] } },
    select: { id: true },
  });
  return found?.id ?? null;
}

const lower = (s: string | null | undefined) => (s ? s.trim().toLowerCase() : null);
const uniq = <T>(xs: (T | null | undefined)[]) => [...new Set(xs.filter((x): x is T => x !== null && x !== undefined && x !== ""))];
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export async function eraseCustomerInTx(tx: Tx, storeId: number, customerId: number, reason: string | null, opts: EraseOptions = {}): Promise<EraseResult | null> {
  const rows = await tx.$queryRaw<{ id: number; platformId: string; email: string | null; phone: string | null; taxId: string | null; erasedAt: Date | null }[]>(
    Prisma.sql`SELECT id, "platformId", email, phone, "taxId", "erasedAt" FROM "Customer" WHERE "storeId" = ${storeId} AND id = ${customerId} FOR UPDATE`,
  );
  const customer = rows[0];
  if (!customer) return null;
  const dedupeKey = opts.dedupeKey ?? `admin:${randomUUID()}`;
  const previous = await tx.privacyRequest.findUnique({ where: { storeId_dedupeKey: { storeId, dedupeKey } }, select: { id: true } });
  if (previous) return { customerId, requestId: previous.id, alreadyErased: true, counts: {} };
  const alreadyErased = customer.erasedAt !== null && customer.platformId.startsWith(TOMBSTONE_PREFIX);
  const counts: Record<string, number> = {};

  const who = await identifiersOf(tx, storeId, { ...customer, platformId: alreadyErased ? null : customer.platformId }, opts.orderPlatformIds ?? []);
  const { orderRows, checkoutRows, emails, phones, platformId, mentions } = who;
  const orderIds = orderRows.map((o) => o.id);
  const orderPids = orderRows.map((o) => o.platformId);
  const checkoutPids = checkoutRows.map((c) => c.platformId);

  counts.orders = await tx.$executeRaw(
    Prisma.sql`UPDATE "Order" SET email = NULL, "landingSite" = NULL, "referringSite" = NULL, tags = '{}', "updatedAt" = now()
      WHERE "storeId" = ${storeId} AND id = ANY(${orderIds}::int[])`,
  );
  counts.payments = await tx.$executeRaw(
    Prisma.sql`UPDATE "Payment" SET "boletoUrl" = NULL, "boletoBarcode" = NULL, "pixCode" = NULL, "updatedAt" = now()
      WHERE "storeId" = ${storeId} AND "orderId" = ANY(${orderIds}::int[])`,
  );
  counts.checkouts = await tx.$executeRaw(
    Prisma.sql`UPDATE "Checkout" SET email = NULL, phone = NULL, "recoveryUrl" = NULL, "updatedAt" = now()
      WHERE "storeId" = ${storeId} AND ("customerId" = ${customerId} OR lower(email) = ANY(${emails}::text[]) OR phone = ANY(${phones}::text[]))`,
  );
  counts.events = await tx.$executeRaw(
    Prisma.sql`DELETE FROM "Event" WHERE "storeId" = ${storeId} AND ("customerId" = ${customerId} OR ("customerId" IS NULL AND (${mentions(Prisma.sql`data::text`)})))`,
  );
  counts.messages = await tx.$executeRaw(
    Prisma.sql`UPDATE "Message" SET "to" = 'erased', subject = NULL, error = NULL, "updatedAt" = now(),
      status = CASE WHEN status = 'queued' THEN 'cancelled'::"MessageStatus" ELSE status END
      WHERE "storeId" = ${storeId} AND ("customerId" = ${customerId} OR lower("to") = ANY(${emails}::text[]) OR "to" = ANY(${phones}::text[]))`,
  );
  counts.segmentMembers = await tx.segmentMember.deleteMany({ where: { storeId, customerId } }).then((r) => r.count);
  // What we last sent to Mailchimp (their e-mail). The member in the Mailchimp list itself is not
  // removed from here: the merchant deletes it in Mailchimp (see README, Privacy).
  counts.mailchimpMembers = await tx.mailchimpMember.deleteMany({ where: { storeId, customerId } }).then((r) => r.count);
  counts.rfmSnapshots = await tx.rfmSnapshot.deleteMany({ where: { storeId, customerId } }).then((r) => r.count);
  counts.flowEnrollments = await tx.flowEnrollment
    .updateMany({ where: { storeId, customerId, stoppedAt: null }, data: { status: "stopped", stoppedAt: new Date(), stopReason: "customer erased" } })
    .then((r) => r.count);
  counts.exports = await tx.privacyRequest
    .updateMany({ where: { storeId, customerId, kind: "data_request", export: { not: Prisma.DbNull } }, data: { export: Prisma.DbNull } })
    .then((r) => r.count);
  const resourceIds = uniq([platformId, ...orderPids, ...checkoutPids]);
  counts.webhookBodies = await tx.$executeRaw(
    Prisma.sql`UPDATE "WebhookReceipt" SET body = NULL WHERE "storeId" = ${storeId} AND body IS NOT NULL AND status <> 'received'
      AND ("resourceId" = ANY(${resourceIds}::text[]) OR ${mentions(Prisma.sql`body`)})`,
  );
  counts.jobs = await deleteJobsAbout(tx, storeId, customerId, mentions(Prisma.sql`data::text`));

  await tx.$executeRaw(
    Prisma.sql`UPDATE "Customer" SET "platformId" = ${alreadyErased ? customer.platformId : tombstoneFor(storeId, customer.platformId)},
      email = NULL, phone = NULL, "firstName" = NULL, "lastName" = NULL, city = NULL, zip = NULL, addresses = '[]',
      "birthDate" = NULL, gender = NULL, "taxId" = NULL, note = NULL, tags = '{}',
      "acceptsEmailMarketing" = false, "acceptsSmsMarketing" = false,
      "erasedAt" = COALESCE("erasedAt", now()), "updatedAt" = now()
      WHERE "storeId" = ${storeId} AND id = ${customerId}`,
  );
  const request = await tx.privacyRequest.create({
    data: { storeId, kind: "erasure", source: opts.source ?? "admin", dedupeKey, customerId, reason, status: "done", completedAt: new Date() },
    select: { id: true },
  });
  return { customerId, requestId: request.id, alreadyErased, counts };
}

/** What identifies a person in our rows and in free text (raw bodies, event and job data). */
export interface PersonIdentifiers {
  orderRows: { id: number; platformId: string; email: string | null }[];
  checkoutRows: { id: number; platformId: string; email: string | null; phone: string | null }[];
  emails: string[];
  phones: string[];
  /** The customer's platform id, null once erased (a tombstone names no one). */
  platformId: string | null;
  /** A condition: the text column mentions the person (e-mail, phone, CPF, or their platform id inside a body). */
  mentions(col: Prisma.Sql): Prisma.Sql;
}

/**
 * Everything that identifies the person, as found in our rows (their orders' and checkouts' too,
 * and orders named by a Shopify redaction request).
 */
export async function identifiersOf(
  tx: Pick<Tx, "$queryRaw">,
  storeId: number,
  customer: { id: number; platformId: string | null; email: string | null; phone: string | null; taxId: string | null },
  orderPlatformIds: string[] = [],
): Promise<PersonIdentifiers> {
  const customerId = customer.id;
  const orderRows = await tx.$queryRaw<PersonIdentifiers["orderRows"]>(
    Prisma.sql`SELECT id, "platformId", email FROM "Order" WHERE "storeId" = ${storeId}
      AND ("customerId" = ${customerId} OR "platformId" = ANY(${orderPlatformIds}::text[]))`,
  );
  const checkoutRows = await tx.$queryRaw<PersonIdentifiers["checkoutRows"]>(
    Prisma.sql`SELECT id, "platformId", email, phone FROM "Checkout" WHERE "storeId" = ${storeId} AND "customerId" = ${customerId}`,
  );
  const emails = uniq([lower(customer.email), ...orderRows.map((o) => lower(o.email)), ...checkoutRows.map((c) => lower(c.email))]);
  const phones = uniq([customer.phone?.trim(), ...checkoutRows.map((c) => c.phone?.trim())]);
  const taxIds = uniq([customer.taxId?.replace(/\D/g, "") || null]);
  // Lower-case text that, found inside a raw body or JSON, means it is about this person.
  const needles = uniq([...emails, ...phones.map((p) => p.toLowerCase()), ...taxIds.filter((t) => t.length >= 11)]);
  const platformId = customer.platformId;
  // The customer's platform id inside a body: `"customer_id": 123` (WooCommerce, Shopify
  // checkouts) or `"customer": {"id": 123` (Shopify orders); and as a Shopify GID.
  const pidPattern = platformId
    ? `("customer_id"\\s*:\\s*"?${escapeRegex(platformId)}"?\\s*[,}])|("customer"\\s*:\\s*\\{\\s*"id"\\s*:\\s*"?${escapeRegex(platformId)}"?\\s*[,}])|(gid://shopify/Customer/${escapeRegex(platformId)}")`
    : null;
  // One lower() and one LIKE ANY per row for the needles; the regex only where the id appears at all.
  const likePatterns = needles.map((n) => `%${n.replace(/[\\%_]/g, "\\$&")}%`);
  const mentions = (col: Prisma.Sql) =>
    Prisma.join(
      [
        ...(likePatterns.length ? [Prisma.sql`lower(${col}) LIKE ANY(${likePatterns}::text[])`] : []),
        ...(pidPattern ? [Prisma.sql`(strpos(${col}, ${platformId}) > 0 AND ${col} ~ ${pidPattern})`] : []),
        Prisma.sql`false`,
      ],
      " OR ",
    );
  return { orderRows, checkoutRows, emails, phones, platformId, mentions };
}

/** Queued/retrying/finished pg-boss jobs whose data names the customer (any queue, incl. other helpers'). */
async function deleteJobsAbout(tx: Tx, storeId: number, customerId: number, mentions: Prisma.Sql): Promise<number> {
  const [exists] = await tx.$queryRaw<{ ok: boolean }[]>`SELECT to_regclass('pgboss.job') IS NOT NULL AS ok`;
  if (!exists?.ok) return 0;
  // Active jobs are left to finish (deleting them under a worker would only make it fail).
  return tx.$executeRaw(
    Prisma.sql`DELETE FROM pgboss.job WHERE state <> 'active' AND data IS NOT NULL
      AND ((data->>'storeId' = ${String(storeId)} AND data->>'customerId' = ${String(customerId)}) OR ${mentions})`,
  );
}
