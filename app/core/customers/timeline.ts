// The customer's timeline: every dated thing we know about them, newest first, as one list the
// profile page renders. Pure: the rows come from profile.server.ts.

export type TimelineKind =
  | "order_placed"
  | "order_cancelled"
  | "payment_paid"
  | "payment_pending"
  | "checkout_started"
  | "checkout_completed"
  | "message_sent"
  | "message_opened"
  | "message_clicked"
  | "event";

export interface TimelineEntry {
  kind: TimelineKind;
  at: string;
  /** Event type for kind "event" (segment_entered, storefront.product_viewed, unsubscribed…). */
  type?: string;
  /** What to show next to it: order name, payment method, message subject, segment name… */
  label?: string | null;
  amountMinor?: string | null;
  currency?: string | null;
}

export interface TimelineSources {
  orders: { name: string | null; placedAt: Date; cancelledAt: Date | null; totalMinor: bigint; currency: string }[];
  payments: { method: string; status: string; amountMinor: bigint; currency: string; createdAt: Date; paidAt: Date | null; orderName: string | null }[];
  checkouts: { startedAt: Date; completedAt: Date | null; totalMinor: bigint; currency: string }[];
  messages: { subject: string | null; sentAt: Date | null; openedAt: Date | null; clickedAt: Date | null }[];
  events: { type: string; occurredAt: Date; data: unknown }[];
}

/** A short label for an Event row from its data (segment name, product title, …), if it has one. */
function eventLabel(data: unknown): string | null {
  if (!data || typeof data !== "object") return null;
  const d = data as Record<string, unknown>;
  for (const k of ["segmentName", "segment", "name", "title", "productTitle", "url", "reason"]) {
    const v = d[k];
    if (typeof v === "string" && v) return v.slice(0, 120);
  }
  return null;
}

/**
 * Event rows the ingest wrote for orders and checkouts until 2026-11-24 (it writes none now): the
 * timeline shows those from their own tables (with amounts), so old rows would only repeat them.
 */
const REPEATED_EVENTS = new Set(["order.placed", "checkout.started", "checkout.completed"]);

export function buildTimeline(src: TimelineSources, limit = 200): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const money = (minor: bigint, currency: string) => ({ amountMinor: minor.toString(), currency });
  for (const o of src.orders) {
    out.push({ kind: "order_placed", at: o.placedAt.toISOString(), label: o.name, ...money(o.totalMinor, o.currency) });
    if (o.cancelledAt) out.push({ kind: "order_cancelled", at: o.cancelledAt.toISOString(), label: o.name });
  }
  for (const p of src.payments) {
    if (p.paidAt) out.push({ kind: "payment_paid", at: p.paidAt.toISOString(), label: p.orderName, type: p.method, ...money(p.amountMinor, p.currency) });
    else if (p.status === "pending") out.push({ kind: "payment_pending", at: p.createdAt.toISOString(), label: p.orderName, type: p.method, ...money(p.amountMinor, p.currency) });
  }
  for (const c of src.checkouts) {
    out.push({ kind: "checkout_started", at: c.startedAt.toISOString(), ...money(c.totalMinor, c.currency) });
    if (c.completedAt) out.push({ kind: "checkout_completed", at: c.completedAt.toISOString(), ...money(c.totalMinor, c.currency) });
  }
  for (const m of src.messages) {
    if (m.sentAt) out.push({ kind: "message_sent", at: m.sentAt.toISOString(), label: m.subject });
    if (m.openedAt) out.push({ kind: "message_opened", at: m.openedAt.toISOString(), label: m.subject });
    if (m.clickedAt) out.push({ kind: "message_clicked", at: m.clickedAt.toISOString(), label: m.subject });
  }
  for (const e of src.events) if (!REPEATED_EVENTS.has(e.type)) out.push({ kind: "event", type: e.type, at: e.occurredAt.toISOString(), label: eventLabel(e.data) });
  // Newest first; same instant: a stable order by kind so the page does not reshuffle.
  out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.kind.localeCompare(b.kind)));
  return out.slice(0, limit);
}
