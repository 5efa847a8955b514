// Data request (LGPD art. 18 II, GDPR art. 15): everything we hold about one customer, as one JSON
// document the merchant can hand over. Scores and predictions carry their meaning, so the person
// can understand what was inferred about them. Money is minor units (integer strings) + currency.
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { identifiersOf } from "./erase.server.ts";

type Tx = Prisma.TransactionClient | Db;

export const EXPORT_FORMAT = "caderninho.customer-data.v1";

/** What each inferred value means (English; the merchant may translate when replying). */
export const MEANINGS = {
  ordersCount: "Orders that count as purchases (not cancelled, test or deleted, and paid).",
  revenueMinor: "Total spent, net of refunds, in minor units of the store's currency.",
  rScore: "Recency score 1–5 relative to the store's other customers (5 = bought most recently).",
  fScore: "Frequency score 1–5 (5 = buys most often).",
  mScore: "Monetary score 1–5 (5 = spends most).",
  rfmSegment: "Group derived from the recency and frequency scores (e.g. Champions, At Risk).",
  cluster: "Group of customers with a similar buying pattern found by k-means clustering.",
  predictedClvMinor: "Expected spending in the next 12 months (BG/NBD + Gamma-Gamma models), minor units.",
  pAlive: "Estimated probability (0–1) that the customer still buys from the store.",
  churnRisk: "Estimated probability (0–1) of no purchase in the next 90 days.",
  predictedNextOrderAt: "Estimated date of the next order if the customer is still active.",
  segments: "Customer lists the merchant defined; membership can trigger e-mails or tags.",
  events: "What the customer did or received besides orders and checkouts (messages, store visits, segment changes), including store visits recorded with only their e-mail or phone.",
  messages: "E-mails sent or scheduled to the customer by automated flows.",
} as const;

/**
 * The customer's events, and events that name them without a customer link (a storefront visit
 * recorded with only an e-mail): the same events an erasure deletes (erase.server.ts).
 */
async function eventsAbout(db: Tx, storeId: number, customer: { id: number; platformId: string; email: string | null; phone: string | null; taxId: string | null; erasedAt: Date | null }) {
  const who = await identifiersOf(db, storeId, { ...customer, platformId: customer.erasedAt ? null : customer.platformId });
  return db.$queryRaw<{ id: bigint; storeId: number; customerId: number | null; type: string; occurredAt: Date; data: unknown; createdAt: Date }[]>(
    Prisma.sql`SELECT id, "storeId", "customerId", type, "occurredAt", data, "createdAt" FROM "Event"
      WHERE "storeId" = ${storeId} AND ("customerId" = ${customer.id} OR ("customerId" IS NULL AND (${who.mentions(Prisma.sql`data::text`)})))
      ORDER BY "occurredAt", id`,
  );
}

/** JSON-safe copy: BigInt → string, Date → ISO string. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
}

/** The export, or null when the store has no such customer. */
export async function buildCustomerExport(db: Tx, storeId: number, customerId: number, now = new Date()): Promise<Prisma.InputJsonObject | null> {
  const customer = await db.customer.findUnique({ where: { storeId_id: { storeId, id: customerId } } });
  if (!customer) return null;
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { name: true, domain: true, platform: true, currency: true } });
  const [orders, checkouts, stats, snapshots, segments, enrollments, messages, events, requests] = await Promise.all([
    db.order.findMany({ where: { storeId, customerId }, include: { lines: true, payments: true }, orderBy: { placedAt: "asc" } }),
    db.checkout.findMany({ where: { storeId, customerId }, orderBy: { startedAt: "asc" } }),
    db.customerStats.findUnique({ where: { storeId_customerId: { storeId, customerId } } }),
    db.rfmSnapshot.findMany({ where: { storeId, customerId }, orderBy: { runId: "asc" } }),
    db.segmentMember.findMany({ where: { storeId, customerId }, include: { segment: { select: { name: true, kind: true } } } }),
    db.flowEnrollment.findMany({ where: { storeId, customerId }, include: { flow: { select: { name: true, template: true } } } }),
    db.message.findMany({ where: { storeId, customerId }, orderBy: { scheduledAt: "asc" } }),
    eventsAbout(db, storeId, customer),
    db.privacyRequest.findMany({ where: { storeId, customerId }, select: { kind: true, source: true, status: true, requestedAt: true, completedAt: true } }),
  ]);
  // Each snapshot's date is its run's (RfmSnapshot has no relation to RfmRun: see the schema).
  const runs = await db.rfmRun.findMany({ where: { storeId, id: { in: [...new Set(snapshots.map((s) => s.runId))] } }, select: { id: true, createdAt: true } });
  const runAt = new Map(runs.map((r) => [r.id, r.createdAt]));
  const { storeId: _s, addresses, ...profile } = customer;
  return plain({
    format: EXPORT_FORMAT,
    exportedAt: now,
    store,
    customer: profile,
    addresses,
    orders: orders.map(({ storeId: _o, lines, payments, ...o }) => ({
      ...o,
      lines: lines.map(({ storeId: _l, ...l }) => l),
      payments: payments.map(({ storeId: _p, ...p }) => p),
    })),
    checkouts: checkouts.map(({ storeId: _c, ...c }) => c),
    scores: stats ? (({ storeId: _x, customerId: _y, ...s }) => s)(stats) : null,
    rfmHistory: snapshots.map((s) => ({ at: runAt.get(s.runId) ?? null, rScore: s.rScore, fScore: s.fScore, mScore: s.mScore, segment: s.segment })),
    segments: segments.map((m) => ({ name: m.segment.name, kind: m.segment.kind, joinedAt: m.joinedAt })),
    flows: enrollments.map((e) => ({ flow: e.flow.name, template: e.flow.template, status: e.status, startedAt: e.createdAt, stoppedAt: e.stoppedAt, stopReason: e.stopReason })),
    messages: messages.map(({ storeId: _m, idempotencyKey: _k, ...m }) => m),
    events: events.map(({ storeId: _e, ...e }) => e),
    privacyRequests: requests,
    meanings: MEANINGS,
  }) as Prisma.InputJsonObject;
}
