// What one due step should do right now. A step runs later than planned (worker down, quiet
// hours) or twice (a duplicated job); so at run time it re-reads the world and decides: stop the
// enrollment (ordered, paid, consent withdrawn, flow off), skip the step (stale, condition false,
// over the frequency cap), wait (quiet hours, the boleto's due date), or send.
import type { Checkout, Customer, Flow, FlowEnrollment, FlowStep, Store } from "@prisma/client";
import type { Db } from "#app/db/client.server.ts";
import { formatMoney } from "#app/core/money.ts";
import { utcTimestamp } from "#app/core/ingest/customer-stats.server.ts";
import { recommendFor } from "#app/core/cross-sell/recommend.server.ts";
import { parseFlowSettings, parseStepOptions, parseTrigger, pickLocale, stepContentSchema, storeFlowSettings, type FlowLocale, type FlowSettings, type FlowTrigger, type StepContent, type StepOptions, type StoreFlowSettings } from "./model.ts";
import { isStale, overFrequencyCap, quietHoursEnd, stepDueAt } from "./rules.ts";
import type { MessageItem, MessageVars } from "./render.ts";

export interface StepJob {
  storeId: number;
  enrollmentId: number;
  position: number;
}

export interface StepContext {
  store: Store;
  flow: Flow & { steps: FlowStep[] };
  enrollment: FlowEnrollment;
  step: FlowStep;
  customer: Customer;
  trigger: FlowTrigger;
  flowSettings: FlowSettings;
  storeSettings: StoreFlowSettings;
  options: StepOptions;
  content: StepContent;
  locale: FlowLocale;
  /** When this step was meant to go out. */
  dueAt: Date;
  /** The trigger's checkout, once read (the decision reads it, the message shows it). */
  checkout?: Checkout | null;
}

export type StepDecision =
  /** Nothing to do: the enrollment is over or already past this step (a duplicated job). */
  | { kind: "done"; reason: string }
  | { kind: "stop"; reason: string }
  | { kind: "skip"; reason: string }
  | { kind: "postpone"; until: Date; reason: string }
  | { kind: "send" };

/** Evaluates a step condition (the segment filter AST) for one customer. */
export type ConditionMatcher = (db: Db, storeId: number, customerId: number, filter: unknown) => Promise<boolean>;

export async function loadStepContext(db: Db, job: StepJob): Promise<StepContext | null> {
  // One Prisma call (its query planning costs more CPU than the SQL: a step runs per message).
  const row = await db.flowEnrollment.findUnique({
    where: { storeId_id: { storeId: job.storeId, id: job.enrollmentId } },
    include: { store: true, customer: true, flow: { include: { steps: { orderBy: { position: "asc" } } } } },
  });
  if (!row) return null;
  const { store, customer, flow, ...enrollment } = row;
  const step = flow.steps.find((s) => s.position === job.position);
  if (!step) return null;
  const options = parseStepOptions(step.options);
  const triggerAt = enrollment.triggerAt ?? enrollment.createdAt;
  return {
    store,
    flow,
    enrollment,
    step,
    customer,
    trigger: parseTrigger(flow.trigger),
    flowSettings: parseFlowSettings(flow.settings),
    storeSettings: storeFlowSettings(store.settings),
    options,
    content: stepContentSchema.parse(step.content),
    locale: pickLocale(customer.locale, store.locale),
    dueAt: stepDueAt(triggerAt, step.delayMinutes),
  };
}

const ctxNumber = (ctx: FlowEnrollment, key: string): number | null => {
  const v = (ctx.context as Record<string, unknown> | null)?.[key];
  return typeof v === "number" ? v : null;
};

async function readCheckout(db: Db, c: StepContext, id: number): Promise<Checkout | null> {
  if (c.checkout === undefined) c.checkout = await db.checkout.findUnique({ where: { storeId_id: { storeId: c.enrollment.storeId, id } } });
  return c.checkout;
}

/** Has the reason for this enrollment gone away (ordered, paid…)? Returns the stop reason. */
async function relevance(db: Db, c: StepContext, now: Date): Promise<{ stop?: string; waitUntil?: Date }> {
  const { storeId } = c.enrollment;
  if (c.trigger.type === "checkout_abandoned") {
    const checkoutId = ctxNumber(c.enrollment, "checkoutId");
    const checkout = checkoutId ? await readCheckout(db, c, checkoutId) : null;
    if (!checkout) return { stop: "checkout_gone" };
    if (checkout.completedAt) return { stop: "ordered" };
    const ordered = await db.order.count({ where: { storeId, customerId: c.customer.id, placedAt: { gte: checkout.startedAt }, cancelledAt: null, deletedAt: null } });
    if (ordered > 0) return { stop: "ordered" };
    return {};
  }
  if (c.trigger.type === "browse_abandoned") {
    const ordered = await db.order.count({ where: { storeId, customerId: c.customer.id, placedAt: { gte: c.enrollment.triggerAt ?? c.enrollment.createdAt }, cancelledAt: null, deletedAt: null } });
    return ordered > 0 ? { stop: "ordered" } : {};
  }
  if (c.trigger.type === "payment_pending") {
    const paymentId = ctxNumber(c.enrollment, "paymentId");
    const payment = paymentId ? await db.payment.findUnique({ where: { storeId_id: { storeId, id: paymentId } }, include: { order: true } }) : null;
    if (!payment) return { stop: "payment_gone" };
    if (payment.status === "paid" || payment.paidAt) return { stop: "paid" };
    if (["paid", "partially_paid", "authorized"].includes(payment.order.financialStatus)) return { stop: "paid" };
    if (payment.order.cancelledAt || payment.order.deletedAt) return { stop: "cancelled" };
    if (payment.status !== "pending" && payment.status !== "expired") return { stop: `payment_${payment.status}` };
    if (payment.dueAt && c.options.atDueDate && now < payment.dueAt) return { waitUntil: payment.dueAt };
    if (c.options.onlyAfterDue) {
      const after = payment.dueAt ? new Date(payment.dueAt.getTime() + 86_400_000) : null;
      if (after && now < after) return { waitUntil: after };
    } else if (payment.status === "expired") {
      return { stop: "expired" };
    }
    return {};
  }
  return {};
}

async function sentMarketingSince(db: Db, storeId: number, customerId: number, since: Date): Promise<number> {
  const rows = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "Message" m JOIN "Flow" f ON f."storeId" = m."storeId" AND f.id = m."flowId"
    WHERE m."storeId" = ${storeId} AND m."customerId" = ${customerId} AND m.status IN ('sent', 'sending')
      AND m."sentAt" >= ${utcTimestamp(since)} AND COALESCE(f.settings->>'kind', 'marketing') = 'marketing'`;
  return rows[0]?.n ?? 0;
}

export async function decideStep(db: Db, c: StepContext, now: Date, matches: ConditionMatcher | null): Promise<StepDecision> {
  if (c.enrollment.status !== "active") return { kind: "done", reason: `enrollment_${c.enrollment.status}` };
  if (c.enrollment.nextStepPos !== c.step.position) return { kind: "done", reason: "step_already_handled" };
  if (!c.flow.enabled) return { kind: "stop", reason: "flow_disabled" };
  if (c.store.uninstalledAt) return { kind: "stop", reason: "store_uninstalled" };
  if (c.customer.erasedAt || (c.step.channel === "email" && !c.customer.email)) return { kind: "stop", reason: "no_address" };
  const marketing = c.flowSettings.kind === "marketing";
  if (marketing && !c.customer.acceptsEmailMarketing) return { kind: "stop", reason: "no_consent" };
  const rel = await relevance(db, c, now);
  if (rel.stop) return { kind: "stop", reason: rel.stop };
  if (rel.waitUntil) return { kind: "postpone", until: rel.waitUntil, reason: "not_due" };
  if (now < c.dueAt) return { kind: "postpone", until: c.dueAt, reason: "not_due" };
  if (isStale(c.dueAt, now, c.options.staleAfterMinutes)) return { kind: "skip", reason: "stale" };
  if (c.flowSettings.respectQuietHours) {
    const end = quietHoursEnd(now, c.store.timezone, c.storeSettings.quietHours);
    if (end) {
      // Waiting past the step's shelf life makes no sense either.
      if (isStale(c.dueAt, end, c.options.staleAfterMinutes)) return { kind: "skip", reason: "stale" };
      return { kind: "postpone", until: end, reason: "quiet_hours" };
    }
  }
  if (c.step.condition !== null && c.step.condition !== undefined) {
    if (!matches) return { kind: "skip", reason: "condition_unavailable" };
    if (!(await matches(db, c.store.id, c.customer.id, c.step.condition))) return { kind: "skip", reason: "condition_false" };
  }
  if (marketing) {
    const cap = c.storeSettings.frequencyCap;
    const n = await sentMarketingSince(db, c.store.id, c.customer.id, new Date(now.getTime() - cap.hours * 3_600_000));
    if (overFrequencyCap(n, cap)) return { kind: "skip", reason: "frequency_cap" };
  }
  return { kind: "send" };
}

/** The next step after `position`, if any. */
export function nextStep(c: StepContext): FlowStep | null {
  return c.flow.steps.find((s) => s.position > c.step.position) ?? null;
}

function productUrl(store: Store, handle: string | null, id: string): string {
  const base = /^https?:\/\//.test(store.domain) ? store.domain : `https://${store.domain}`;
  return store.platform === "shopify" && handle ? `${base}/products/${handle}` : `${base}/?p=${encodeURIComponent(id)}`;
}

/** Everything the templates can show, read for this customer and trigger (money and dates localised). */
export async function buildVars(db: Db, c: StepContext): Promise<Omit<MessageVars, "unsubscribeUrl" | "openPixelUrl" | "discountCode">> {
  const { storeId } = c.enrollment;
  const loc = c.locale;
  const money = (minor: bigint | number, currency: string) => formatMoney(minor, currency, loc);
  const date = (d: Date) => new Intl.DateTimeFormat(loc, { dateStyle: "long", timeZone: c.store.timezone }).format(d);
  const storeUrl = /^https?:\/\//.test(c.store.domain) ? c.store.domain : `https://${c.store.domain}`;
  const vars: Omit<MessageVars, "unsubscribeUrl" | "openPixelUrl" | "discountCode"> = {
    firstName: c.customer.firstName?.trim() || (loc === "pt-BR" ? "cliente" : "there"),
    storeName: c.store.name,
    storeUrl,
    items: [],
    recommendations: [],
    action: { url: storeUrl, kind: "store" },
    segmentName: ((c.enrollment.context as Record<string, unknown>)?.segmentName as string | undefined) ?? null,
  };
  let seeds: string[] = [];
  const checkoutId = ctxNumber(c.enrollment, "checkoutId");
  const orderId = ctxNumber(c.enrollment, "orderId");
  const paymentId = ctxNumber(c.enrollment, "paymentId");
  if (checkoutId) {
    const checkout = await readCheckout(db, c, checkoutId);
    if (checkout) {
      const lines = (Array.isArray(checkout.lines) ? checkout.lines : []) as { productId?: string; title?: string; quantity?: number; unitPriceMinor?: number | string; imageUrl?: string | null }[];
      vars.items = lines.map<MessageItem>((l) => ({ title: l.title ?? "", quantity: l.quantity ?? 1, price: money(BigInt(l.unitPriceMinor ?? 0) * BigInt(l.quantity ?? 1), checkout.currency), imageUrl: l.imageUrl ?? null }));
      vars.total = money(checkout.totalMinor, checkout.currency);
      seeds = lines.map((l) => l.productId).filter((x): x is string => Boolean(x));
      if (checkout.recoveryUrl) vars.action = { url: checkout.recoveryUrl, kind: "checkout" };
    }
  }
  if (orderId) {
    const order = await db.order.findUnique({ where: { storeId_id: { storeId, id: orderId } }, include: { lines: true } });
    if (order) {
      const productIds = order.lines.map((l) => l.productId).filter((x): x is string => Boolean(x));
      const products = await db.product.findMany({ where: { storeId, platformId: { in: productIds } }, select: { platformId: true, imageUrl: true } });
      const images = new Map(products.map((p) => [p.platformId, p.imageUrl]));
      vars.orderName = order.name ?? `#${order.platformId}`;
      vars.total = money(order.totalMinor, order.currency);
      vars.items = order.lines.map((l) => ({ title: l.title, quantity: l.quantity, price: money(l.totalMinor, order.currency), imageUrl: (l.productId && images.get(l.productId)) || null }));
      vars.action = { url: storeUrl, kind: "order" };
      seeds = productIds;
    }
  }
  if (paymentId) {
    const payment = await db.payment.findUnique({ where: { storeId_id: { storeId, id: paymentId } } });
    if (payment) {
      vars.total = money(payment.amountMinor, payment.currency);
      if (payment.method === "boleto") {
        vars.boleto = { barcode: payment.boletoBarcode, dueDate: payment.dueAt ? date(payment.dueAt) : null };
        if (payment.boletoUrl && !c.options.onlyAfterDue) vars.action = { url: payment.boletoUrl, kind: "boleto" };
      }
      if (payment.method === "pix" && payment.pixCode) vars.pix = { code: payment.pixCode };
      // The "expired" offer: the store (to pay another way), not the dead boleto.
      if (c.options.onlyAfterDue) {
        vars.boleto = null;
        vars.action = { url: storeUrl, kind: "pay" };
      }
    }
  }
  if (c.options.recommendations) {
    const answer = await recommendFor(db, storeId, { productIds: seeds, limit: 3, customerPlatformId: c.customer.platformId });
    vars.recommendations = answer.items.map((r) => ({
      title: r.card.title,
      price: r.card.priceMinor !== null ? money(r.card.priceMinor, r.card.currency ?? c.store.currency) : null,
      imageUrl: r.card.imageUrl,
      url: productUrl(c.store, r.card.handle, r.card.id),
    }));
  }
  return vars;
}
