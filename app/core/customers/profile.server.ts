// Everything the 360° profile shows about one customer of one store. Every query is keyed by
// (storeId, customerId): another store's id finds nothing, and the page answers 404.
import type { Db } from "#app/db/client.server.ts";
import { clusterNameKeys, type ClusterModel } from "#app/core/analytics/clusters.ts";
import { buildTimeline, type TimelineEntry } from "./timeline.ts";

export const ORDERS_PER_PAGE = 10;
const MESSAGES_SHOWN = 50;
const EVENTS_READ = 200;
const HISTORY_RUNS = 30;

export async function loadCustomerProfile(db: Db, storeId: number, customerId: number, opts: { ordersPage?: number } = {}) {
  const customer = await db.customer.findUnique({ where: { storeId_id: { storeId, id: customerId } } });
  if (!customer) return null;
  const page = Math.max(1, opts.ordersPage ?? 1);
  const key = { storeId, customerId };
  const [stats, history, orderCount, orders, checkouts, payments, messages, messageCounts, memberships, events, latestRun, recentOrders] = await Promise.all([
    db.customerStats.findUnique({ where: { storeId_customerId: key } }),
    db.$queryRaw<{ runId: number; createdAt: Date; rScore: number; fScore: number; mScore: number; segment: string }[]>`
      SELECT s."runId", r."createdAt", s."rScore", s."fScore", s."mScore", s.segment
      FROM "RfmSnapshot" s JOIN "RfmRun" r ON r."storeId" = s."storeId" AND r.id = s."runId"
      WHERE s."storeId" = ${storeId} AND s."customerId" = ${customerId}
      ORDER BY s."runId" DESC LIMIT ${HISTORY_RUNS}`,
    db.order.count({ where: key }),
    db.order.findMany({
      where: key,
      orderBy: [{ placedAt: "desc" }, { id: "desc" }],
      skip: (page - 1) * ORDERS_PER_PAGE,
      take: ORDERS_PER_PAGE,
      include: { lines: { orderBy: { id: "asc" } } },
    }),
    db.checkout.findMany({ where: key, orderBy: { startedAt: "desc" }, take: 50 }),
    db.$queryRaw<
      { id: number; method: string; status: string; amountMinor: bigint; currency: string; boletoUrl: string | null; pixCode: string | null; dueAt: Date | null; paidAt: Date | null; createdAt: Date; orderName: string | null }[]
    >`
      SELECT p.id, p.method::text, p.status::text, p."amountMinor", p.currency, p."boletoUrl", p."pixCode", p."dueAt", p."paidAt", p."createdAt", o.name AS "orderName"
      FROM "Payment" p JOIN "Order" o ON o."storeId" = p."storeId" AND o.id = p."orderId"
      WHERE p."storeId" = ${storeId} AND o."customerId" = ${customerId}
      ORDER BY p."createdAt" DESC LIMIT 100`,
    db.message.findMany({ where: key, orderBy: { createdAt: "desc" }, take: MESSAGES_SHOWN }),
    db.$queryRaw<{ sent: number; opened: number; clicked: number }[]>`
      SELECT count(*) FILTER (WHERE "sentAt" IS NOT NULL)::int AS sent, count(*) FILTER (WHERE "openedAt" IS NOT NULL)::int AS opened,
             count(*) FILTER (WHERE "clickedAt" IS NOT NULL)::int AS clicked
      FROM "Message" WHERE "storeId" = ${storeId} AND "customerId" = ${customerId}`,
    db.segmentMember.findMany({ where: key, include: { segment: { select: { id: true, name: true, kind: true } } }, orderBy: { joinedAt: "desc" } }),
    db.event.findMany({ where: key, orderBy: { occurredAt: "desc" }, take: EVENTS_READ }),
    db.rfmRun.findFirst({ where: { storeId }, orderBy: { id: "desc" }, select: { params: true } }),
    // The timeline shows the latest orders whatever page of the order list is open.
    db.order.findMany({ where: key, orderBy: { placedAt: "desc" }, take: 100, select: { name: true, placedAt: true, cancelledAt: true, totalMinor: true, currency: true } }),
  ]);

  const models = (latestRun?.params as { models?: { clusters?: ClusterModel | null } } | null)?.models;
  const profile = stats?.cluster != null ? models?.clusters?.profiles?.[stats.cluster] : undefined;
  const timeline: TimelineEntry[] = buildTimeline({
    orders: recentOrders,
    payments: payments.map((p) => ({ ...p, orderName: p.orderName })),
    checkouts,
    messages,
    events,
  });
  const openCheckouts = checkouts.filter((c) => !c.completedAt && !c.completedOrderId);
  const unpaid = payments.filter((p) => p.status === "pending" && (p.method === "boleto" || p.method === "pix"));
  return {
    customer,
    stats,
    cluster: stats?.cluster != null ? { index: stats.cluster, nameKeys: profile ? clusterNameKeys(profile) : null } : null,
    rfmHistory: history,
    orders: { page, pages: Math.max(1, Math.ceil(orderCount / ORDERS_PER_PAGE)), total: orderCount, rows: orders },
    openCheckouts,
    unpaid,
    messages,
    messageCounts: messageCounts[0] ?? { sent: 0, opened: 0, clicked: 0 },
    memberships: memberships.map((m) => ({ segmentId: m.segment.id, name: m.segment.name, kind: m.segment.kind, joinedAt: m.joinedAt })),
    timeline,
  };
}

export type CustomerProfile = NonNullable<Awaited<ReturnType<typeof loadCustomerProfile>>>;

/** Add a tag to our copy of the customer (case-insensitive, like Shopify). null: no such customer in this store. */
export async function addCustomerTag(db: Db, storeId: number, customerId: number, tag: string): Promise<{ added: boolean; tags: string[] } | null> {
  const c = await db.customer.findUnique({ where: { storeId_id: { storeId, id: customerId } }, select: { tags: true } });
  if (!c) return null;
  if (c.tags.some((t) => t.toLowerCase() === tag.toLowerCase())) return { added: false, tags: c.tags };
  const updated = await db.customer.update({ where: { storeId_id: { storeId, id: customerId } }, data: { tags: { push: tag } }, select: { tags: true } });
  return { added: true, tags: updated.tags };
}
