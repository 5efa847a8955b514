// Mailchimp audience sync, one store per job. Who is sent: customers with an email who accept
// email marketing ("subscribed"), and customers we sent before who no longer accept it (they
// become "unsubscribed"); a customer who never consented is never sent. What is sent: only
// differences against MailchimpMember (what we last sent): an upsert when status or merge fields
// changed, a tags call with the segment tags to add (active) and remove (inactive). Up to
// DIRECT_LIMIT operations go one by one; more go as Mailchimp batch operations, whose per-operation
// results are read back so a failed member is retried next time, never recorded as sent.
import { createHash } from "node:crypto";
import type { Services } from "#app/server/services.server.ts";
import { decryptSecret, type Keyring } from "#app/core/crypto.ts";
import { createMailchimp, subscriberHash, type BatchOperation, type Mailchimp, type MemberBody, type TagChange } from "#adapters/mailchimp/client.server.ts";
import { readBatchResults } from "#adapters/mailchimp/batch-results.server.ts";
import { QUEUES, type StoreJob } from "./queues.ts";

export const DIRECT_LIMIT = 100;
const PAGE = 2000;

export interface MailchimpReport {
  upserted: number;
  unsubscribed: number;
  tagged: number;
  unchanged: number;
  /** Members removed from Mailchimp: erased customers (deleted for good) and removed addresses (unsubscribed). */
  removed: number;
  failed: number;
  mode: "direct" | "batch" | "none";
  failures: { customerId: number; email: string; reason: string }[];
  finishedAt: string;
}

export const keyringOf = (s: Services["secrets"]): Keyring => ({ current: s.encryptionKey, previous: s.encryptionKeyOld });

export function mailchimpFor(services: Pick<Services, "config">, apiKey: string, opts: { retryBaseMs?: number } = {}): Mailchimp {
  return createMailchimp({ apiKey, apiBase: services.config.MAILCHIMP_API_BASE, retryBaseMs: opts.retryBaseMs });
}

interface Candidate {
  id: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  birthDate: Date | null;
  consent: boolean;
  segmentIds: number[];
  mmHash: string | null;
  mmStatus: string | null;
  mmMerge: string | null;
  mmTags: string[] | null;
}

interface Planned {
  customerId: number;
  email: string;
  hash: string;
  status: "subscribed" | "unsubscribed";
  mergeHash: string;
  tags: string[];
  upsert: MemberBody | null;
  tagChanges: TagChange[];
  /** The customer's previous address in Mailchimp (the email changed): unsubscribed. */
  retireHash: string | null;
}

interface Removal {
  customerId: number;
  email: string;
  hash: string;
  /** Erased customer: deleted permanently; otherwise (no email any more) unsubscribed. */
  erased: boolean;
}

function plan(c: Candidate, tagOf: Map<number, string>): Planned | "unchanged" {
  const status = c.consent ? "subscribed" : "unsubscribed";
  const merge: Record<string, string> = {};
  if (c.firstName) merge.FNAME = c.firstName;
  if (c.lastName) merge.LNAME = c.lastName;
  if (c.phone) merge.PHONE = c.phone;
  if (c.birthDate) merge.BIRTHDAY = `${String(c.birthDate.getUTCMonth() + 1).padStart(2, "0")}/${String(c.birthDate.getUTCDate()).padStart(2, "0")}`;
  const email = c.email.trim();
  const hash = subscriberHash(email);
  const mergeHash = createHash("sha1").update(JSON.stringify([email, merge])).digest("hex");
  // Tags of unsubscribed members are kept as they were: nothing is sent to them but the unsubscribe.
  const desired = c.consent ? [...new Set(c.segmentIds.map((id) => tagOf.get(id)!).filter(Boolean))].sort() : (c.mmTags ?? []);
  const known = c.mmHash === hash ? (c.mmTags ?? []) : [];
  const tagChanges: TagChange[] = [
    ...desired.filter((t) => !known.includes(t)).map((name) => ({ name, status: "active" as const })),
    ...known.filter((t) => !desired.includes(t)).map((name) => ({ name, status: "inactive" as const })),
  ];
  const needsUpsert = c.mmHash !== hash || c.mmStatus !== status || c.mmMerge !== mergeHash;
  const retireHash = c.mmHash && c.mmHash !== hash && c.mmStatus === "subscribed" ? c.mmHash : null;
  if (!needsUpsert && tagChanges.length === 0) return "unchanged";
  return {
    customerId: c.id,
    email,
    hash,
    status,
    mergeHash,
    tags: desired,
    upsert: needsUpsert ? { email_address: email, status_if_new: status, status, merge_fields: merge } : null,
    tagChanges,
    retireHash,
  };
}

export async function runMailchimpSync(
  services: Pick<Services, "db" | "config" | "secrets" | "log">,
  storeId: number,
  opts: { retryBaseMs?: number; batchPollMs?: number; directLimit?: number } = {},
): Promise<MailchimpReport> {
  const { db } = services;
  const conn = await db.mailchimpConnection.findUnique({ where: { storeId } });
  if (!conn?.listId) throw new Error("Mailchimp is not connected to an audience for this store");
  const listId = conn.listId;
  const mc = mailchimpFor(services, decryptSecret(conn.apiKey, keyringOf(services.secrets)), opts);
  const segments = await db.segment.findMany({ where: { storeId, id: { in: conn.segmentIds } }, select: { id: true, name: true } });
  const tagOf = new Map(segments.map((s) => [s.id, s.name]));
  const segmentIds = segments.map((s) => s.id);

  const report: MailchimpReport = { upserted: 0, unsubscribed: 0, tagged: 0, unchanged: 0, removed: 0, failed: 0, mode: "none", failures: [], finishedAt: "" };
  const work: Planned[] = [];
  for (let after = 0; ; ) {
    const rows = await db.$queryRaw<Candidate[]>`
      SELECT c.id, c.email, c."firstName", c."lastName", c.phone, c."birthDate", c."acceptsEmailMarketing" AS consent,
        coalesce((SELECT array_agg(m."segmentId") FROM "SegmentMember" m WHERE m."storeId" = c."storeId" AND m."customerId" = c.id AND m."segmentId" = ANY(${segmentIds}::int[])), '{}') AS "segmentIds",
        mm."subscriberHash" AS "mmHash", mm.status AS "mmStatus", mm."mergeHash" AS "mmMerge", mm.tags AS "mmTags"
      FROM "Customer" c
      LEFT JOIN "MailchimpMember" mm ON mm."storeId" = c."storeId" AND mm."customerId" = c.id AND mm."listId" = ${listId}
      WHERE c."storeId" = ${storeId} AND c.id > ${after} AND c."erasedAt" IS NULL AND c.email IS NOT NULL AND c.email <> ''
        AND (c."acceptsEmailMarketing" OR mm."customerId" IS NOT NULL)
      ORDER BY c.id LIMIT ${PAGE}`;
    for (const r of rows) {
      const p = plan(r, tagOf);
      if (p === "unchanged") report.unchanged++;
      else work.push(p);
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.id;
  }

  // Members we sent whose customer was erased here, or has no email any more.
  const removals = await db.$queryRaw<Removal[]>`
    SELECT mm."customerId", mm.email, mm."subscriberHash" AS hash, c."erasedAt" IS NOT NULL AS erased
    FROM "MailchimpMember" mm JOIN "Customer" c ON c."storeId" = mm."storeId" AND c.id = mm."customerId"
    WHERE mm."storeId" = ${storeId} AND mm."listId" = ${listId} AND (c."erasedAt" IS NOT NULL OR c.email IS NULL OR c.email = '')`;

  const ok = new Set<number>();
  const fail = (p: { customerId: number; email: string }, reason: string) => {
    if (!report.failures.some((f) => f.customerId === p.customerId) && report.failures.length < 100) report.failures.push({ customerId: p.customerId, email: p.email, reason });
  };
  const opCount = removals.length + work.reduce((n, p) => n + (p.upsert ? 1 : 0) + (p.tagChanges.length ? 1 : 0) + (p.retireHash ? 1 : 0), 0);
  if (opCount > 0 && opCount <= (opts.directLimit ?? DIRECT_LIMIT)) {
    report.mode = "direct";
    for (const r of removals) {
      try {
        await (r.erased ? mc.deletePermanently(listId, r.hash) : mc.unsubscribe(listId, r.hash));
        ok.add(r.customerId);
      } catch (e) {
        fail(r, (e as Error).message);
      }
    }
    for (const p of work) {
      try {
        if (p.retireHash) await mc.unsubscribe(listId, p.retireHash);
        if (p.upsert) await mc.setMember(listId, p.hash, p.upsert);
        if (p.tagChanges.length) await mc.updateTags(listId, p.hash, p.tagChanges);
        ok.add(p.customerId);
      } catch (e) {
        fail(p, (e as Error).message);
      }
    }
  } else if (opCount > 0) {
    report.mode = "batch";
    // Upserts first, then tags (a tags call needs the member to exist); operation ids name the customer.
    const member = (hash: string) => `/lists/${listId}/members/${hash}`;
    const unsubscribe = (hash: string, id: string): BatchOperation => ({ method: "PATCH", path: member(hash), body: JSON.stringify({ status: "unsubscribed" }), operation_id: id });
    const upserts: BatchOperation[] = [
      ...removals.map((r) => (r.erased ? { method: "POST" as const, path: `${member(r.hash)}/actions/delete-permanent`, body: "", operation_id: `d:${r.customerId}` } : unsubscribe(r.hash, `r:${r.customerId}`))),
      ...work.filter((p) => p.retireHash).map((p) => unsubscribe(p.retireHash!, `r:${p.customerId}`)),
      ...work.filter((p) => p.upsert).map((p) => ({ method: "PUT" as const, path: member(p.hash), body: JSON.stringify(p.upsert), operation_id: `u:${p.customerId}` })),
    ];
    const tags: BatchOperation[] = work.filter((p) => p.tagChanges.length).map((p) => ({ method: "POST", path: `/lists/${listId}/members/${p.hash}/tags`, body: JSON.stringify({ tags: p.tagChanges }), operation_id: `t:${p.customerId}` }));
    const failedIds = new Map<number, string>();
    for (const ops of [upserts, tags]) {
      const pending = ops.filter((op) => !failedIds.has(Number(op.operation_id.slice(2))));
      if (!pending.length) continue;
      const results = await runBatch(mc, pending, opts.batchPollMs ?? 5000);
      const seen = new Set<string>();
      for (const r of results) {
        seen.add(r.operationId);
        // Removing a member Mailchimp no longer has is done already.
        const gone = r.status === 404 && /^[dr]:/.test(r.operationId);
        if (r.status >= 300 && !gone) failedIds.set(Number(r.operationId.slice(2)), r.error ?? `HTTP ${r.status}`);
      }
      for (const op of pending) if (!seen.has(op.operation_id)) failedIds.set(Number(op.operation_id.slice(2)), "no result for this operation");
    }
    for (const p of [...removals, ...work]) {
      const reason = failedIds.get(p.customerId);
      if (reason) fail(p, reason);
      else ok.add(p.customerId);
    }
  }

  const now = new Date();
  for (const r of removals) {
    if (!ok.has(r.customerId)) {
      report.failed++;
      continue;
    }
    report.removed++;
    await db.mailchimpMember.delete({ where: { storeId_customerId: { storeId, customerId: r.customerId } } });
  }
  for (const p of work) {
    if (!ok.has(p.customerId)) {
      report.failed++;
      continue;
    }
    if (p.upsert && p.status === "subscribed") report.upserted++;
    else if (p.upsert) report.unsubscribed++;
    if (p.tagChanges.length) report.tagged++;
    const row = { listId, subscriberHash: p.hash, email: p.email, status: p.status, mergeHash: p.mergeHash, tags: p.tags, syncedAt: now };
    await db.mailchimpMember.upsert({ where: { storeId_customerId: { storeId, customerId: p.customerId } }, create: { storeId, customerId: p.customerId, ...row }, update: row });
  }
  report.finishedAt = now.toISOString();
  await db.mailchimpConnection.update({ where: { storeId }, data: { lastSyncedAt: now, lastReport: report as object } });
  services.log.info({ storeId, ...report, failures: report.failures.length }, "Mailchimp sync finished");
  return report;
}

async function runBatch(mc: Mailchimp, operations: BatchOperation[], pollMs: number) {
  let status = await mc.startBatch(operations);
  while (status.status !== "finished") {
    await new Promise((r) => setTimeout(r, pollMs));
    status = await mc.batchStatus(status.id);
  }
  return readBatchResults(await mc.download(status.response_body_url));
}

export async function enqueueMailchimpSync(services: Pick<Services, "boss">, storeId: number): Promise<void> {
  await services.boss.send(QUEUES.mailchimpSync, { storeId } satisfies StoreJob, { singletonKey: String(storeId) });
}

/** Daily tick: one sync per store with a chosen audience. */
export async function enqueueAllMailchimpSyncs(services: Pick<Services, "db" | "boss">): Promise<number> {
  const conns = await services.db.mailchimpConnection.findMany({ where: { listId: { not: null }, store: { uninstalledAt: null } }, select: { storeId: true } });
  for (const c of conns) await enqueueMailchimpSync(services, c.storeId);
  return conns.length;
}
