// Follow-ups at scale: BENCH_FLOWS_CUSTOMERS (default 10,000) customers with abandoned checkouts
// enter the abandoned-checkout flow at once. (1) Scheduling: one scan (set-based enrollment) and
// the delayed pg-boss jobs for every first step. (2) Dispatch: every step decided, rendered
// (Mustache, pt-BR), recorded in the outbox and sent over SMTP to a real local SMTP server
// (smtp-server), BENCH_FLOWS_CONCURRENCY at a time like the worker. Reference in the same run:
// nodemailer alone sending the same number of pre-rendered messages over the same pooled transport.
import { performance } from "node:perf_hooks";
import nodemailer from "nodemailer";
import { saveEmailSettings } from "../app/core/email/settings.server.ts";
import { ensureBuiltInFlows } from "../app/core/flows/manage.server.ts";
import { flowRuntime, scanAndSchedule } from "../app/jobs/flows-scan.server.ts";
import { closeFlowSenders, runFlowStep } from "../app/jobs/flows-step.server.ts";
import type { StepJob } from "../app/core/flows/step.server.ts";
import { startSmtpTestServer } from "../test/support/smtp-test-server.ts";
import { phaseTable } from "./support/probe.ts";
import { fmt } from "./support/stats.ts";
import type { BenchContext, ResultRow } from "./support/types.ts";

const CUSTOMERS = Number(process.env.BENCH_FLOWS_CUSTOMERS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_FLOWS_CONCURRENCY ?? 8);
/** How many of the enrolled customers' first steps the dispatch phase runs (all of them: set it to CUSTOMERS). */
const DISPATCH = Math.min(CUSTOMERS, Number(process.env.BENCH_FLOWS_DISPATCH ?? 2_000));

export const title = "Follow-ups: scheduling and dispatch";
export const description = `${fmt(CUSTOMERS)} customers enter the abandoned-checkout flow at once: scan + delayed jobs, then the first ${fmt(DISPATCH)} steps run ${CONCURRENCY} at a time, sending to a local SMTP server, vs nodemailer alone.`;

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export async function run(ctx: BenchContext): Promise<ResultRow[]> {
  const app = await ctx.startApp("flows", { http: false, workers: false });
  const smtp = await startSmtpTestServer({ parse: false });
  const rows: ResultRow[] = [];
  try {
    const { db } = app.services;
    const keys = { current: app.services.secrets.encryptionKey, previous: app.services.secrets.encryptionKeyOld };
    const store = await db.store.create({ data: { platform: "shopify", domain: "bench-flows.myshopify.com", name: "Empório Bench", settings: { flows: { quietHours: null, frequencyCap: { max: 5, hours: 24 } } } } });
    const saved = await saveEmailSettings(db, store.id, { provider: "smtp", fromName: "Empório Bench", fromAddress: "loja@bench.example", host: smtp.host, port: smtp.port, secure: false }, keys);
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors));
    await ensureBuiltInFlows(db, store.id);
    await db.flow.updateMany({ where: { storeId: store.id, template: "abandoned_checkout" }, data: { enabled: true } });
    const now = new Date();
    await db.$executeRaw`
      INSERT INTO "Customer" ("storeId", "platformId", email, "firstName", "lastName", locale, "acceptsEmailMarketing", "updatedAt")
      SELECT ${store.id}, g::text, 'cliente' || g || '@bench.example', 'Cliente' || g, 'Silva', 'pt-BR', true, now() FROM generate_series(1, ${CUSTOMERS}) g`;
    await db.$executeRaw`
      INSERT INTO "Checkout" ("storeId", "platformId", "customerId", email, "recoveryUrl", currency, "totalMinor", lines, "startedAt", "platformUpdatedAt", "updatedAt")
      SELECT c."storeId", 'chk-' || c.id, c.id, c.email, 'https://bench.example/recover/' || c.id, 'BRL', 18990,
             '[{"productId":"101","title":"Café especial","quantity":2,"unitPriceMinor":7990,"imageUrl":"https://cdn.example/cafe.jpg"},{"productId":"102","title":"Caneca","quantity":1,"unitPriceMinor":3010}]'::jsonb,
             ${new Date(now.getTime() - 2 * 3_600_000)}, ${new Date(now.getTime() - 2 * 3_600_000)}, now()
      FROM "Customer" c WHERE c."storeId" = ${store.id}`;
    await db.$executeRaw`ANALYZE "Customer"`;
    await db.$executeRaw`ANALYZE "Checkout"`;

    // (1) Scheduling: the real runtime (pg-boss inserts with deterministic ids).
    const scheduleProbe = ctx.probe(app, "scheduling");
    const t0 = performance.now();
    const enrolled = await scanAndSchedule(app.services, store.id, now);
    const scheduleMs = performance.now() - t0;
    const schedulePhase = await scheduleProbe.stop();
    const [{ jobs } = { jobs: 0 }] = await app.query<{ jobs: number }>(`SELECT count(*)::int AS jobs FROM pgboss.job WHERE name = 'flows.step'`);
    rows.push({
      metric: `scheduling: ${fmt(CUSTOMERS)} customers enter at once (scan + delayed jobs)`,
      measured: `${fmt(enrolled / (scheduleMs / 1000))} enrollments/s`,
      verdict: enrolled === CUSTOMERS && jobs === CUSTOMERS ? "info" : "FAILED",
      note: `${fmt(enrolled)} enrollments, ${fmt(jobs)} pg-boss jobs in ${fmt(scheduleMs / 1000)} s`,
      value: enrolled / (scheduleMs / 1000),
    });

    // (2) Dispatch: every first step, as the worker runs it (decide, outbox, render, SMTP).
    const enrollments = await db.flowEnrollment.findMany({ where: { storeId: store.id }, select: { id: true }, orderBy: { id: "asc" }, take: DISPATCH });
    const rt = flowRuntime(app.services, { schedule: async () => {}, scheduleMany: async () => {} });
    const stepJobs: StepJob[] = enrollments.map((e) => ({ storeId: store.id, enrollmentId: e.id, position: 0 }));
    const dispatchProbe = ctx.probe(app, "dispatch");
    const t1 = performance.now();
    let sent = 0;
    await ctx.profile("dispatch", () =>
      pool(stepJobs, CONCURRENCY, async (job) => {
        const r = await runFlowStep(rt, job);
        if (r.outcome === "sent") sent++;
      }),
    );
    await smtp.waitFor(sent, 60_000);
    const dispatchMs = performance.now() - t1;
    const dispatchPhase = await dispatchProbe.stop();
    closeFlowSenders();

    // Reference: nodemailer alone, the same number of messages of the same size, same pooling.
    const sample = await db.message.findFirstOrThrow({ where: { storeId: store.id, status: "sent" } });
    const html = "<p>".padEnd(6_000, "x");
    const transport = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, pool: true, maxConnections: 3 });
    const before = smtp.accepted();
    const t2 = performance.now();
    await pool(stepJobs, CONCURRENCY, async (job) =>
      transport.sendMail({ from: "loja@bench.example", to: `ref${job.enrollmentId}@bench.example`, subject: sample.subject ?? "x", html, text: html }),
    );
    await smtp.waitFor(before + stepJobs.length, 60_000);
    const refMs = performance.now() - t2;
    transport.close();

    const received = smtp.accepted() - stepJobs.length;
    const messages = await db.message.count({ where: { storeId: store.id, status: "sent" } });
    ctx.detail(`Where the time went (scheduling; dispatch):\n\n${phaseTable([schedulePhase, dispatchPhase])}`);
    rows.push({
      metric: `dispatch: ${fmt(DISPATCH)} first steps to a local SMTP server (${CONCURRENCY} concurrent)`,
      measured: `${fmt(sent / (dispatchMs / 1000))} messages/s`,
      reference: `nodemailer alone: ${fmt(stepJobs.length / (refMs / 1000))} messages/s`,
      verdict: sent === DISPATCH && messages === DISPATCH && received === DISPATCH ? "info" : "FAILED",
      note: `${fmt(sent)} sent, ${fmt(received)} received by the SMTP server, ${fmt(messages)} outbox rows; ${fmt(dispatchMs / 1000)} s`,
      value: sent / (dispatchMs / 1000),
    });
  } finally {
    await smtp.close();
    await app.close();
  }
  return rows;
}
