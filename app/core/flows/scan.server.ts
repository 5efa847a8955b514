// Trigger detection: one pass over a store finds what should start a flow (abandoned checkouts,
// pending boletos/Pix, first orders, orders, fulfilments, segment entries, lapsed customers,
// birthdays, storefront browsing without buying) and enrolls each customer once per trigger — the FlowEnrollment unique key
// (store × flow × customer × triggerKey) makes a second pass, or two at once, add nothing.
// Set-based SQL: 10,000 customers entering at once is one INSERT … SELECT per flow.
import { Prisma, type Flow, type FlowStep } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { COUNTED_ORDER, utcTimestamp } from "#app/core/ingest/customer-stats.server.ts";
import { parseFlowSettings, triggerSchema, type FlowTrigger } from "./model.ts";

export interface ScheduledStep {
  storeId: number;
  enrollmentId: number;
  position: number;
  runAt: Date;
}

type FlowWithSteps = Flow & { steps: FlowStep[] };

const DAY_MS = 86_400_000;

/** The candidates for one trigger: rows of (customerId, key, t, ctx). */
function candidates(trigger: FlowTrigger, storeId: number, now: Date, firstDelayMinutes: number, timezone: string): Prisma.Sql {
  const ts = (d: Date) => utcTimestamp(d);
  switch (trigger.type) {
    case "checkout_abandoned": {
      // Abandoned: untouched for the first step's delay, no order by the customer since it started.
      const upTo = new Date(now.getTime() - firstDelayMinutes * 60_000);
      const since = new Date(now.getTime() - 7 * DAY_MS);
      return Prisma.sql`
        SELECT c."customerId", 'checkout:' || c.id AS key, COALESCE(c."platformUpdatedAt", c."startedAt") AS t,
               jsonb_build_object('checkoutId', c.id) AS ctx
        FROM "Checkout" c
        WHERE c."storeId" = ${storeId} AND c."completedAt" IS NULL AND c."customerId" IS NOT NULL
          AND COALESCE(c."platformUpdatedAt", c."startedAt") <= ${ts(upTo)}
          AND COALESCE(c."platformUpdatedAt", c."startedAt") > ${ts(since)}
          AND jsonb_array_length(c.lines) > 0
          AND NOT EXISTS (SELECT 1 FROM "Order" o WHERE o."storeId" = c."storeId" AND o."customerId" = c."customerId"
                          AND o."placedAt" >= c."startedAt" AND o."cancelledAt" IS NULL AND o."deletedAt" IS NULL)`;
    }
    case "payment_pending": {
      const since = new Date(now.getTime() - trigger.lookbackDays * DAY_MS);
      return Prisma.sql`
        SELECT o."customerId", 'payment:' || p.id AS key, o."placedAt" AS t,
               jsonb_build_object('paymentId', p.id, 'orderId', o.id) AS ctx
        FROM "Payment" p JOIN "Order" o ON o."storeId" = p."storeId" AND o.id = p."orderId"
        WHERE p."storeId" = ${storeId} AND p.method = ${trigger.method}::"PaymentMethod" AND p.status = 'pending'
          AND o."customerId" IS NOT NULL AND o."cancelledAt" IS NULL AND o."deletedAt" IS NULL AND NOT o.test
          AND o."placedAt" > ${ts(since)} AND o."placedAt" <= ${ts(now)}`;
    }
    case "first_order": {
      const since = new Date(now.getTime() - 3 * DAY_MS);
      return Prisma.sql`
        SELECT s."customerId", 'first-order' AS key, s."firstOrderAt" AS t,
               jsonb_build_object('orderId', (SELECT o.id FROM "Order" o WHERE o."storeId" = s."storeId" AND o."customerId" = s."customerId"
                                               AND ${COUNTED_ORDER} ORDER BY o."placedAt" LIMIT 1)) AS ctx
        FROM "CustomerStats" s
        WHERE s."storeId" = ${storeId} AND s."ordersCount" >= 1 AND s."firstOrderAt" > ${ts(since)} AND s."firstOrderAt" <= ${ts(now)}`;
    }
    case "order_placed": {
      const since = new Date(now.getTime() - 3 * DAY_MS);
      return Prisma.sql`
        SELECT o."customerId", 'order:' || o.id AS key, o."placedAt" AS t, jsonb_build_object('orderId', o.id) AS ctx
        FROM "Order" o
        WHERE o."storeId" = ${storeId} AND o."customerId" IS NOT NULL AND ${COUNTED_ORDER}
          AND o."placedAt" > ${ts(since)} AND o."placedAt" <= ${ts(now)}`;
    }
    case "order_fulfilled": {
      const since = new Date(now.getTime() - 7 * DAY_MS);
      return Prisma.sql`
        SELECT o."customerId", 'fulfilled:' || o.id AS key, COALESCE(o."platformUpdatedAt", o."updatedAt") AS t, jsonb_build_object('orderId', o.id) AS ctx
        FROM "Order" o
        WHERE o."storeId" = ${storeId} AND o."customerId" IS NOT NULL AND o."fulfillmentStatus" = 'fulfilled'
          AND o."cancelledAt" IS NULL AND o."deletedAt" IS NULL AND NOT o.test
          AND COALESCE(o."platformUpdatedAt", o."updatedAt") > ${ts(since)}`;
    }
    case "no_purchase": {
      // Due when the customer is late by their own rhythm: the predicted next order (or last order
      // + their average gap), plus (factor − 1) gaps of grace, and never before minDays.
      const due = Prisma.sql`GREATEST(s."lastOrderAt" + make_interval(days => ${trigger.minDays}::int),
        COALESCE(s."predictedNextOrderAt", s."lastOrderAt" + make_interval(secs => s."avgDaysBetweenOrders" * 86400))
          + make_interval(secs => (${trigger.factor}::float8 - 1) * s."avgDaysBetweenOrders" * 86400))`;
      const since = new Date(now.getTime() - 30 * DAY_MS);
      return Prisma.sql`
        SELECT s."customerId", 'lapse:' || to_char(s."lastOrderAt", 'YYYY-MM-DD') AS key, ${due} AS t, '{}'::jsonb AS ctx
        FROM "CustomerStats" s
        WHERE s."storeId" = ${storeId} AND s."ordersCount" >= 2 AND s."avgDaysBetweenOrders" > 0
          AND ${due} <= ${ts(now)} AND ${due} > ${ts(since)}`;
    }
    case "birthday": {
      const localToday = Prisma.sql`((${ts(now)} AT TIME ZONE 'UTC') AT TIME ZONE ${timezone})::date`;
      return Prisma.sql`
        SELECT cu.id AS "customerId", 'birthday:' || extract(year FROM ${localToday})::int AS key,
               ((${localToday})::timestamp AT TIME ZONE ${timezone}) AT TIME ZONE 'UTC' AS t, '{}'::jsonb AS ctx
        FROM "Customer" cu
        WHERE cu."storeId" = ${storeId} AND cu."birthDate" IS NOT NULL
          AND to_char(cu."birthDate", 'MM-DD') = to_char(${localToday}, 'MM-DD')`;
    }
    case "browse_abandoned": {
      // The latest product viewed per customer and store-local day, once the first delay has
      // passed with no order since and no checkout started (the checkout flow takes those).
      const upTo = new Date(now.getTime() - firstDelayMinutes * 60_000);
      const since = new Date(now.getTime() - 3 * DAY_MS);
      return Prisma.sql`
        SELECT DISTINCT ON (v."customerId", v.day) v."customerId", 'browse:' || v.day AS key, v."occurredAt" AS t,
               jsonb_build_object('productId', v.data ->> 'productId') AS ctx
        FROM (SELECT e."customerId", e."occurredAt", e.data,
                     to_char((e."occurredAt" AT TIME ZONE 'UTC') AT TIME ZONE ${timezone}, 'YYYY-MM-DD') AS day
              FROM "Event" e
              WHERE e."storeId" = ${storeId} AND e.type = 'storefront.product_viewed' AND e."customerId" IS NOT NULL
                AND e."occurredAt" <= ${ts(upTo)} AND e."occurredAt" > ${ts(since)}) v
        WHERE NOT EXISTS (SELECT 1 FROM "Order" o WHERE o."storeId" = ${storeId} AND o."customerId" = v."customerId"
                          AND o."placedAt" >= v."occurredAt" AND o."cancelledAt" IS NULL AND o."deletedAt" IS NULL)
          AND NOT EXISTS (SELECT 1 FROM "Checkout" c WHERE c."storeId" = ${storeId} AND c."customerId" = v."customerId" AND c."startedAt" >= v."occurredAt")
        ORDER BY v."customerId", v.day, v."occurredAt" DESC`;
    }
    case "segment_entered":
      throw new Error("segment_entered flows are enrolled from the Event timeline (enrollSegmentEntries)");
  }
}

function firstStep(flow: FlowWithSteps): FlowStep | null {
  return [...flow.steps].sort((a, b) => a.position - b.position)[0] ?? null;
}

/** When a new enrollment's first step is due (a boleto's "due date" step uses the due date). */
function firstRunAt(triggerAt: Date, step: FlowStep): Date {
  return new Date(triggerAt.getTime() + step.delayMinutes * 60_000);
}

async function insertEnrollments(db: Db, flow: FlowWithSteps, source: Prisma.Sql, now: Date): Promise<ScheduledStep[]> {
  const step = firstStep(flow);
  if (!step) return [];
  const settings = parseFlowSettings(flow.settings);
  const consent = settings.kind === "marketing" ? Prisma.sql`AND cu."acceptsEmailMarketing"` : Prisma.empty;
  const rows = await db.$queryRaw<{ id: number; triggerAt: Date }[]>`
    INSERT INTO "FlowEnrollment" ("storeId", "flowId", "customerId", "triggerKey", "triggerAt", context, "nextRunAt", status, "nextStepPos", "createdAt", "updatedAt")
    SELECT ${flow.storeId}, ${flow.id}, q."customerId", q.key, q.t, q.ctx, q.t + make_interval(mins => ${step.delayMinutes}::int), 'active', 0, ${utcTimestamp(now)}, ${utcTimestamp(now)}
    FROM (${source}) q
    JOIN "Customer" cu ON cu."storeId" = ${flow.storeId} AND cu.id = q."customerId"
    WHERE cu.email IS NOT NULL AND cu."erasedAt" IS NULL ${consent}
    ON CONFLICT ("storeId", "flowId", "customerId", "triggerKey") DO NOTHING
    RETURNING id, "triggerAt"`;
  return rows.map((r) => ({ storeId: flow.storeId, enrollmentId: r.id, position: step.position, runAt: firstRunAt(r.triggerAt, step) }));
}

const EVENT_BATCH = 5000;

/** Segment entries since the store's cursor → enrollments of the flows watching those segments. */
async function enrollSegmentEntries(db: Db, storeId: number, flows: FlowWithSteps[], now: Date): Promise<ScheduledStep[]> {
  const state = await db.flowScanState.upsert({ where: { storeId }, create: { storeId }, update: {} });
  let cursor = state.lastEventId;
  const out: ScheduledStep[] = [];
  for (;;) {
    const events = await db.event.findMany({
      where: { storeId, type: "segment_entered", id: { gt: cursor }, customerId: { not: null } },
      orderBy: { id: "asc" },
      take: EVENT_BATCH,
      select: { id: true, customerId: true, occurredAt: true, data: true },
    });
    if (events.length === 0) break;
    for (const flow of flows) {
      const trigger = triggerSchema.parse(flow.trigger);
      if (trigger.type !== "segment_entered") continue;
      const names = new Set(trigger.segmentNames.map((n) => n.toLowerCase()));
      const keyed = trigger.segmentKeys.length ? await db.segment.findMany({ where: { storeId, autoKey: { in: trigger.segmentKeys } }, select: { id: true } }) : [];
      const ids = new Set([...trigger.segmentIds, ...keyed.map((k) => k.id)]);
      const hits = events.filter((e) => {
        const d = (e.data ?? {}) as { segmentId?: unknown; segmentName?: unknown };
        return (typeof d.segmentId === "number" && ids.has(d.segmentId)) || (typeof d.segmentName === "string" && names.has(d.segmentName.toLowerCase()));
      });
      if (hits.length === 0) continue;
      const source = Prisma.sql`
        SELECT * FROM unnest(${hits.map((e) => e.customerId!)}::int[], ${hits.map((e) => `segment-event:${e.id}`)}::text[],
                             ${hits.map((e) => e.occurredAt.toISOString())}::timestamptz[], ${hits.map((e) => JSON.stringify(e.data ?? {}))}::jsonb[])
          AS x("customerId", key, tz, ctx)`;
      out.push(...(await insertEnrollments(db, flow, Prisma.sql`SELECT "customerId", key, (tz AT TIME ZONE 'UTC') AS t, ctx FROM (${source}) y`, now)));
    }
    cursor = events[events.length - 1]!.id;
    if (events.length < EVENT_BATCH) break;
  }
  await db.flowScanState.update({ where: { storeId }, data: { lastEventId: cursor, lastScanAt: now } });
  return out;
}

/** One scan of one store at `now` (an injected clock in tests): new enrollments and their first step. */
export async function scanStore(db: Db, storeId: number, now: Date): Promise<ScheduledStep[]> {
  const store = await db.store.findUnique({ where: { id: storeId }, select: { timezone: true, uninstalledAt: true } });
  if (!store || store.uninstalledAt) return [];
  const flows = await db.flow.findMany({ where: { storeId, enabled: true }, include: { steps: true }, orderBy: { id: "asc" } });
  const out: ScheduledStep[] = [];
  for (const flow of flows) {
    const parsed = triggerSchema.safeParse(flow.trigger);
    if (!parsed.success || parsed.data.type === "segment_entered") continue;
    const step = firstStep(flow);
    if (!step) continue;
    out.push(...(await insertEnrollments(db, flow, candidates(parsed.data, storeId, now, step.delayMinutes, store.timezone), now)));
  }
  out.push(...(await enrollSegmentEntries(db, storeId, flows, now)));
  return out;
}

