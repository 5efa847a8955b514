// Running one due flow step (queue flows.step): decide, then send at most once.
//
// Delivery guarantee: AT MOST ONCE per step. The Message row (unique idempotency key customer ×
// flow × step × trigger) is claimed in one statement — inserted as `sending`, or moved from
// `queued` to `sending` — so of two duplicated jobs only one proceeds; then handed to the provider
// and marked `sent`. A crash after the claim and before `sent` leaves `sending`: a later run does
// not send again (the provider may have accepted it) but marks it `failed` ("outcome unknown")
// after SENDING_TIMEOUT_MS and moves on. A crash before the claim leaves nothing, and the retry
// sends. Transient provider errors put the row back to `queued` and let pg-boss retry with backoff;
// permanent ones mark it `failed`. We chose at-most-once because a duplicated marketing or payment
// email costs more trust than one occasionally lost message.
import { createHash, createHmac } from "node:crypto";
import { Prisma, type Store } from "@prisma/client";
import { createEmailSender, EmailSendError, type EmailSender } from "#adapters/email/index.server.ts";
import { resolveEmailSettings, storedEmailSettings } from "#app/core/email/settings.server.ts";
import { linkKey, signLinkToken } from "#app/core/email/tokens.ts";
import type { Keyring } from "#app/core/crypto.ts";
import { messageKey } from "#app/core/flows/model.ts";
import { renderMessage, type RenderedMessage } from "#app/core/flows/render.ts";
import { buildVars, decideStep, loadStepContext, nextStep, type ConditionMatcher, type StepContext, type StepJob } from "#app/core/flows/step.server.ts";
import { stepDueAt } from "#app/core/flows/rules.ts";
import type { Db } from "#app/db/client.server.ts";
import { utcTimestamp } from "#app/core/ingest/customer-stats.server.ts";
import type { Logger } from "#app/logger.server.ts";

export const SENDING_TIMEOUT_MS = 10 * 60_000;

export interface FlowRuntime {
  db: Db;
  log: Logger;
  appUrl: string;
  keys: Keyring;
  /** HMAC key of our link tokens (unsubscribe, click, open). */
  linkKey: Buffer;
  /** Queue a step to run at `runAt` (pg-boss startAfter in the app; tests may run it by hand). */
  schedule(job: StepJob, runAt: Date): Promise<void>;
  /** Many at once (a scan enrolling thousands): one multi-row insert per chunk. Default: schedule() each. */
  scheduleMany?(jobs: { job: StepJob; runAt: Date }[]): Promise<void>;
  /** Segment filter evaluation for step conditions; null until the segments module provides it. */
  matches: ConditionMatcher | null;
  /** Create a platform discount code; returns the code. */
  createDiscount?(store: Store, req: { code: string; percent: number; customerPlatformId: string | null; customerEmail: string | null; endsAt: Date; title: string }): Promise<string>;
  /** Override the sender (bench, tests); default: the store's configured provider. */
  senderFor?(store: Store): { sender: EmailSender; from: { name: string; address: string }; replyTo?: string } | null;
  fetch?: typeof fetch;
}

export function linkKeyFromSecret(sessionSecret: string): Buffer {
  return linkKey(sessionSecret);
}

/** The signing secret of a store's outgoing webhooks (shown in its settings). */
export function webhookSecretFor(key: Buffer, storeId: number): string {
  return createHmac("sha256", key).update(`webhook:${storeId}`).digest("base64url");
}

export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

// Senders are pooled (SMTP keeps connections open): one per store and settings version.
const senders = new Map<string, { sender: EmailSender; from: { name: string; address: string }; replyTo?: string }>();

function configuredSender(rt: FlowRuntime, store: Store) {
  if (rt.senderFor) return rt.senderFor(store);
  const stored = storedEmailSettings(store);
  if (!stored) return null;
  const cacheKey = `${store.id}:${createHash("sha256").update(JSON.stringify(stored)).digest("base64url")}`;
  let entry = senders.get(cacheKey);
  if (!entry) {
    const resolved = resolveEmailSettings(store, rt.keys);
    if (!resolved) return null;
    for (const [k, v] of senders) {
      if (!k.startsWith(`${store.id}:`)) continue;
      v.sender.close?.();
      senders.delete(k);
    }
    entry = { sender: createEmailSender(resolved.transport), from: resolved.from, replyTo: resolved.replyTo };
    senders.set(cacheKey, entry);
  }
  return entry;
}

export function closeFlowSenders(): void {
  for (const v of senders.values()) v.sender.close?.();
  senders.clear();
}

export type StepOutcome =
  | { outcome: "done" | "stopped" | "skipped" | "postponed" | "duplicate" | "failed"; reason: string }
  | { outcome: "sent"; messageId: number };

async function advance(rt: FlowRuntime, c: StepContext, now: Date): Promise<void> {
  const next = nextStep(c);
  const { storeId, id } = c.enrollment;
  if (!next) {
    await rt.db.flowEnrollment.updateMany({ where: { storeId, id, status: "active", nextStepPos: c.step.position }, data: { status: "completed", nextStepPos: c.step.position + 1, nextRunAt: null } });
    return;
  }
  const due = stepDueAt(c.enrollment.triggerAt ?? c.enrollment.createdAt, next.delayMinutes);
  const moved = await rt.db.flowEnrollment.updateMany({ where: { storeId, id, status: "active", nextStepPos: c.step.position }, data: { nextStepPos: next.position, nextRunAt: due } });
  if (moved.count === 1) await rt.schedule({ storeId, enrollmentId: id, position: next.position }, due > now ? due : now);
}

async function stop(rt: FlowRuntime, c: StepContext, reason: string, now: Date): Promise<void> {
  await rt.db.flowEnrollment.updateMany({ where: { storeId: c.enrollment.storeId, id: c.enrollment.id, status: "active" }, data: { status: "stopped", stopReason: reason, stoppedAt: now, nextRunAt: null } });
}

function linkFns(rt: FlowRuntime, storeId: number, messageId: number, customerId: number) {
  return {
    click: (url: string) => `${rt.appUrl}/t/c/${signLinkToken(rt.linkKey, { k: "c", s: storeId, m: messageId, u: url })}`,
    open: `${rt.appUrl}/t/o/${signLinkToken(rt.linkKey, { k: "o", s: storeId, m: messageId })}.gif`,
    unsubscribe: `${rt.appUrl}/unsubscribe/${signLinkToken(rt.linkKey, { k: "u", s: storeId, c: customerId, m: messageId })}`,
  };
}

async function render(rt: FlowRuntime, c: StepContext, messageId: number, key: string, now: Date): Promise<RenderedMessage & { unsubscribeUrl: string }> {
  const vars = await buildVars(rt.db, c);
  let discountCode: string | null = null;
  if (c.options.discountPercent && rt.createDiscount) {
    const { discountCodeFor } = await import("./flows-discount.server.ts");
    discountCode = await rt.createDiscount(c.store, {
      code: discountCodeFor(key),
      percent: c.options.discountPercent,
      customerPlatformId: c.customer.platformId,
      customerEmail: c.customer.email,
      endsAt: new Date(now.getTime() + 7 * 86_400_000),
      title: `${c.flow.name} — ${c.customer.email ?? c.customer.id}`,
    });
  }
  const links = linkFns(rt, c.store.id, messageId, c.customer.id);
  const rendered = renderMessage(c.content, c.locale, { ...vars, discountCode, unsubscribeUrl: links.unsubscribe, openPixelUrl: links.open }, links.click);
  return { ...rendered, unsubscribeUrl: links.unsubscribe };
}

async function deliver(rt: FlowRuntime, c: StepContext, msg: RenderedMessage & { unsubscribeUrl: string }, key: string): Promise<{ provider: string; providerMessageId: string | null }> {
  if (c.step.channel === "webhook") {
    const url = c.storeSettings.webhookUrl;
    if (!url) throw new EmailSendError("no webhook URL configured for this store", "smtp", true);
    const body = JSON.stringify({
      type: "flow.step",
      idempotencyKey: key,
      store: { id: c.store.id, name: c.store.name },
      flow: { id: c.flow.id, name: c.flow.name, template: c.flow.template },
      step: { id: c.step.id, position: c.step.position },
      customer: { id: c.customer.id, firstName: c.customer.firstName, email: c.customer.email, phone: c.customer.phone, locale: c.locale },
      message: { subject: msg.subject, text: msg.text },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signWebhookBody(webhookSecretFor(rt.linkKey, c.store.id), timestamp, body);
    let res: Response;
    try {
      res = await (rt.fetch ?? fetch)(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-caderninho-signature": signature, "x-caderninho-timestamp": timestamp, "x-caderninho-idempotency-key": key },
        body,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (e) {
      throw new EmailSendError(`webhook unreachable: ${(e as Error).message}`, "smtp", false);
    }
    if (!res.ok) throw new EmailSendError(`webhook answered ${res.status}`, "smtp", !(res.status === 429 || res.status >= 500), res.status);
    return { provider: "webhook", providerMessageId: res.headers.get("x-request-id") };
  }
  const sender = configuredSender(rt, c.store);
  if (!sender) throw new EmailSendError("email is not configured for this store", "smtp", true);
  const result = await sender.sender.send({
    from: sender.from,
    to: { address: c.customer.email!, name: [c.customer.firstName, c.customer.lastName].filter(Boolean).join(" ") || undefined },
    replyTo: sender.replyTo,
    subject: msg.subject,
    html: msg.html,
    text: msg.text,
    headers: {
      "List-Unsubscribe": `<${msg.unsubscribeUrl}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "X-Caderninho-Key": key,
    },
  });
  return { provider: result.provider, providerMessageId: result.messageId };
}

/**
 * The step's one outbox row, claimed for sending in one statement: inserted as `sending` (the
 * unique key makes it the only row for this step, whatever runs twice) or, when a retry finds it
 * `queued` (a transient provider error put it back), moved to `sending`. Otherwise the row as it
 * is (sent, failed, cancelled, or being sent by another run). Null when a concurrent run inserted
 * it after this statement's snapshot: that run is sending it.
 */
async function claimMessage(db: Db, c: StepContext, key: string): Promise<{ id: number; claimed: boolean; status: string | null; updatedAt: Date | null } | null> {
  const to = (c.step.channel === "email" ? c.customer.email : (c.customer.phone ?? c.customer.email)) ?? "";
  const now = Prisma.sql`(now() AT TIME ZONE 'UTC')`;
  const storeId = c.store.id;
  const rows = await db.$queryRaw<{ id: number; claimed: boolean; status: string | null; updatedAt: Date | null }[]>`
    WITH ins AS (
      INSERT INTO "Message" ("storeId", "customerId", "flowId", "stepId", "enrollmentId", "idempotencyKey", channel, "to", status, "scheduledAt", "updatedAt")
      VALUES (${storeId}, ${c.customer.id}, ${c.flow.id}, ${c.step.id}, ${c.enrollment.id}, ${key}, ${c.step.channel}, ${to}, 'sending', ${utcTimestamp(c.dueAt)}, ${now})
      ON CONFLICT ("storeId", "idempotencyKey") DO NOTHING
      RETURNING id),
    claim AS (
      UPDATE "Message" SET status = 'sending', "updatedAt" = ${now}
      WHERE "storeId" = ${storeId} AND "idempotencyKey" = ${key} AND status = 'queued' AND NOT EXISTS (SELECT 1 FROM ins)
      RETURNING id)
    SELECT id, true AS claimed, NULL::text AS status, NULL::timestamp AS "updatedAt" FROM ins
    UNION ALL SELECT id, true, NULL, NULL FROM claim
    UNION ALL SELECT id, false, status::text, "updatedAt" FROM "Message"
      WHERE "storeId" = ${storeId} AND "idempotencyKey" = ${key} AND NOT EXISTS (SELECT 1 FROM ins) AND NOT EXISTS (SELECT 1 FROM claim)`;
  return rows[0] ?? null;
}

export async function runFlowStep(rt: FlowRuntime, job: StepJob, now: Date = new Date()): Promise<StepOutcome> {
  const { db } = rt;
  const c = await loadStepContext(db, job);
  if (!c) return { outcome: "done", reason: "gone" };
  const key = messageKey(c.flow.id, c.step.id, c.customer.id, c.enrollment.triggerKey);
  const decision = await decideStep(db, c, now, rt.matches);
  switch (decision.kind) {
    case "done":
      return { outcome: "done", reason: decision.reason };
    case "stop":
      await stop(rt, c, decision.reason, now);
      await db.message.updateMany({ where: { storeId: c.store.id, idempotencyKey: key, status: "queued" }, data: { status: "cancelled", error: decision.reason } });
      return { outcome: "stopped", reason: decision.reason };
    case "postpone":
      await db.flowEnrollment.updateMany({ where: { storeId: c.store.id, id: c.enrollment.id, status: "active" }, data: { nextRunAt: decision.until } });
      await rt.schedule(job, decision.until);
      return { outcome: "postponed", reason: decision.reason };
    case "skip":
      await db.message.createMany({
        data: [{ storeId: c.store.id, customerId: c.customer.id, flowId: c.flow.id, stepId: c.step.id, enrollmentId: c.enrollment.id, idempotencyKey: key, channel: c.step.channel, to: c.customer.email ?? "", status: "suppressed", error: decision.reason, scheduledAt: c.dueAt }],
        skipDuplicates: true,
      });
      await advance(rt, c, now);
      return { outcome: "skipped", reason: decision.reason };
    case "send":
      break;
  }
  const claim = await claimMessage(db, c, key);
  if (!claim) return { outcome: "duplicate", reason: "claimed_elsewhere" };
  const message = { id: claim.id };
  if (!claim.claimed) {
    if (claim.status === "sending") {
      if (now.getTime() - claim.updatedAt!.getTime() < SENDING_TIMEOUT_MS) return { outcome: "duplicate", reason: "being_sent" };
      await db.message.updateMany({ where: { storeId: c.store.id, id: message.id, status: "sending" }, data: { status: "failed", error: "interrupted while sending: outcome unknown, not resent (at most once)" } });
      await advance(rt, c, now);
      return { outcome: "failed", reason: "outcome_unknown" };
    }
    // Sent (or finally failed) by an earlier run that crashed before moving on.
    await advance(rt, c, now);
    return { outcome: "duplicate", reason: `already_${claim.status}` };
  }
  let rendered: RenderedMessage & { unsubscribeUrl: string };
  try {
    rendered = await render(rt, c, message.id, key, now);
    const sent = await deliver(rt, c, rendered, key);
    // Marked sent and put on the customer's timeline in one statement.
    const event = JSON.stringify({ messageId: message.id, flowId: c.flow.id, stepId: c.step.id });
    await db.$executeRaw`
      WITH m AS (
        UPDATE "Message" SET status = 'sent', "sentAt" = ${utcTimestamp(now)}, subject = ${rendered.subject}, provider = ${sent.provider},
          "providerMessageId" = ${sent.providerMessageId}, error = NULL, "updatedAt" = (now() AT TIME ZONE 'UTC')
        WHERE "storeId" = ${c.store.id} AND id = ${message.id}
        RETURNING id)
      INSERT INTO "Event" ("storeId", "customerId", type, "occurredAt", data)
      SELECT ${c.store.id}, ${c.customer.id}, 'message_sent', ${utcTimestamp(now)}, ${event}::jsonb FROM m`;
  } catch (e) {
    const permanent = e instanceof EmailSendError ? e.permanent : false;
    const error = (e as Error).message.slice(0, 1000);
    if (permanent) {
      await db.message.update({ where: { storeId_id: { storeId: c.store.id, id: message.id } }, data: { status: "failed", error } });
      await advance(rt, c, now);
      rt.log.warn({ storeId: c.store.id, messageId: message.id, error }, "flow message refused by the provider");
      return { outcome: "failed", reason: error };
    }
    // Nothing was accepted: back to queued, and let the queue retry with backoff.
    await db.message.update({ where: { storeId_id: { storeId: c.store.id, id: message.id } }, data: { status: "queued", error } });
    throw e;
  }
  await advance(rt, c, now);
  return { outcome: "sent", messageId: message.id };
}
