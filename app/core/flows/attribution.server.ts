// Recovered / influenced revenue per flow and step. An order counts for a message when the same
// customer places it (a counted order: paid, authorized…) after the message was sent and within
// the store's attribution window (settings.flows.attributionDays, default 7) after the message —
// or after its click, when the link was clicked. A boleto or Pix reminder counts the order it was
// about when that payment is paid inside the window. Last touch: an order is credited once, to
// the latest message before it. Revenue is net of refunds, in minor units of the store currency.
import { Prisma } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { COUNTED_ORDER, utcTimestamp } from "#app/core/ingest/customer-stats.server.ts";
import { storeFlowSettings } from "./model.ts";

export interface StepRevenue {
  stepId: number;
  totalMinor: bigint;
  orders: number;
}

export interface FlowRevenue {
  flowId: number;
  totalMinor: bigint;
  orders: number;
  bySteps: StepRevenue[];
}

export interface RecoveredRevenue {
  totalMinor: bigint;
  orders: number;
  currency: string;
  attributionDays: number;
  byFlow: FlowRevenue[];
}

export async function recoveredRevenue(db: Db, storeId: number, range: { from: Date; to: Date }): Promise<RecoveredRevenue> {
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { settings: true, currency: true } });
  const days = storeFlowSettings(store.settings).attributionDays;
  const from = utcTimestamp(range.from);
  const to = utcTimestamp(range.to);
  const window = Prisma.sql`make_interval(days => ${days}::int)`;
  const rows = await db.$queryRaw<{ flowId: number; stepId: number; orders: number; revenue: string }[]>`
    WITH msgs AS (
      SELECT m.id, m."flowId", m."stepId", m."customerId", m."enrollmentId", m."sentAt",
             COALESCE(GREATEST(m."clickedAt", m."sentAt"), m."sentAt") + ${window} AS "until"
      FROM "Message" m
      WHERE m."storeId" = ${storeId} AND m.status = 'sent' AND m."flowId" IS NOT NULL AND m."customerId" IS NOT NULL
        AND m."sentAt" < ${to} AND m."sentAt" >= ${from} - ${window} - make_interval(days => 60)
    ),
    credited AS (
      -- Orders placed after a message, inside its window.
      SELECT o.id AS "orderId", o."totalMinor" - o."refundedMinor" AS revenue, mm."flowId", mm."stepId", mm."sentAt"
      FROM "Order" o
      JOIN LATERAL (
        SELECT x."flowId", x."stepId", x."sentAt" FROM msgs x
        WHERE x."customerId" = o."customerId" AND x."sentAt" <= o."placedAt" AND o."placedAt" <= x."until"
        ORDER BY x."sentAt" DESC LIMIT 1
      ) mm ON true
      WHERE o."storeId" = ${storeId} AND o."customerId" IS NOT NULL AND ${COUNTED_ORDER}
        AND o."placedAt" >= ${from} AND o."placedAt" < ${to}
      UNION ALL
      -- Orders placed before a payment reminder, paid after it, inside its window.
      SELECT o.id, o."totalMinor" - o."refundedMinor", mm."flowId", mm."stepId", mm."sentAt"
      FROM "Payment" p
      JOIN "Order" o ON o."storeId" = p."storeId" AND o.id = p."orderId"
      JOIN "FlowEnrollment" e ON e."storeId" = p."storeId" AND e.context->>'paymentId' = p.id::text
      JOIN LATERAL (
        SELECT x."flowId", x."stepId", x."sentAt" FROM msgs x
        WHERE x."enrollmentId" = e.id AND x."sentAt" <= p."paidAt" AND p."paidAt" <= x."until"
        ORDER BY x."sentAt" DESC LIMIT 1
      ) mm ON true
      WHERE p."storeId" = ${storeId} AND p.status = 'paid' AND p."paidAt" >= ${from} AND p."paidAt" < ${to}
        AND o."cancelledAt" IS NULL AND o."deletedAt" IS NULL AND NOT o.test
    ),
    once AS (SELECT DISTINCT ON ("orderId") * FROM credited ORDER BY "orderId", "sentAt" DESC)
    SELECT "flowId", "stepId", count(*)::int AS orders, sum(revenue)::text AS revenue FROM once GROUP BY 1, 2 ORDER BY 1, 2`;
  const flows = new Map<number, FlowRevenue>();
  for (const r of rows) {
    const f = flows.get(r.flowId) ?? { flowId: r.flowId, totalMinor: 0n, orders: 0, bySteps: [] };
    const amount = BigInt(r.revenue ?? "0");
    f.totalMinor += amount;
    f.orders += r.orders;
    f.bySteps.push({ stepId: r.stepId, totalMinor: amount, orders: r.orders });
    flows.set(r.flowId, f);
  }
  const byFlow = [...flows.values()];
  return {
    totalMinor: byFlow.reduce((s, f) => s + f.totalMinor, 0n),
    orders: byFlow.reduce((s, f) => s + f.orders, 0),
    currency: store.currency,
    attributionDays: days,
    byFlow,
  };
}

/** Sent / opened / clicked per flow and step over a period (for the list and the editor). */
export async function messageStats(db: Db, storeId: number, range: { from: Date; to: Date }, flowId?: number): Promise<{ flowId: number; stepId: number; sent: number; opened: number; clicked: number }[]> {
  const which = flowId ? Prisma.sql`AND m."flowId" = ${flowId}` : Prisma.empty;
  return db.$queryRaw`
    SELECT m."flowId", m."stepId", count(*)::int AS sent, count(m."openedAt")::int AS opened, count(m."clickedAt")::int AS clicked
    FROM "Message" m
    WHERE m."storeId" = ${storeId} AND m.status = 'sent' AND m."flowId" IS NOT NULL AND m."stepId" IS NOT NULL
      AND m."sentAt" >= ${utcTimestamp(range.from)} AND m."sentAt" < ${utcTimestamp(range.to)} ${which}
    GROUP BY 1, 2`;
}
