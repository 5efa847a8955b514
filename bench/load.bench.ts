// Load under rescoring: signed Shopify deliveries at a steady 500/s (open loop, sender in its own
// thread) for BENCH_LOAD_SECONDS against the real app as `npm start` runs it (HTTP in the web
// process, job workers in a child process), while the same workers keep rescoring another store of
// ~100k customers (RFM, predictions, clusters) back to back. Reported: throughput, p50/p99 of the
// 200 answer, queue lag (receipt received → processed) and proof of exactly-once: every delivery
// stored once and processed once, and the store's counts/sums equal to a serial application of the
// same deliveries. Reference in the same run: the bare node:http + pg receiver (ingest.bench.ts)
// at the same rate for up to a minute (BENCH_LOAD_REF_SECONDS).
import { performance } from "node:perf_hooks";
import { createStoreSimulator } from "../adapters/shopify/simulator/index.ts";
import { normalizeShopifyWebhook } from "../adapters/shopify/normalize.ts";
import { applyChanges } from "../app/core/ingest/apply-batch.server.ts";
import { recomputeAllCustomerStats } from "../app/core/ingest/customer-stats.server.ts";
import { DEMO_SHOP_DOMAIN, ensureDemoStore } from "../app/demo/demo-store.server.ts";
import { QUEUES } from "../app/jobs/queues.ts";
import { enqueueRescore } from "../app/jobs/rescore.server.ts";
import { stateDigest, type StateDigest } from "../test/support/state-digest.ts";
import { generate } from "./analytics.bench.ts";
import { targetOf, warmUp } from "./ingest.bench.ts";
import { withBareReceiver } from "./support/bare-receiver.ts";
import { lockWaitTable, phaseTable, statementTable, type PhaseReport } from "./support/probe.ts";
import { procCpuTable, startProcCpu } from "./support/proc-cpu.ts";
import { prepareThreadSender, senderCpuText, type SendResult } from "./support/sender.ts";
import { fmt, latencySummary } from "./support/stats.ts";
import type { BenchApp, BenchContext, ResultRow } from "./support/types.ts";

const RATE = Number(process.env.BENCH_LOAD_RATE ?? 500);
// Shopify gives up on a delivery after 5 s: the run goes on while fewer than 5 s of deliveries wait
// for an answer (a short stall — a checkpoint, a GC pause — shows in p99/max instead of ending the
// run, as 250 waiting requests, half a second, did in the first quiet 300 s run).
const ABANDON_IN_FLIGHT = RATE * 5;
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 300);
const RESCORE_CUSTOMERS = Number(process.env.BENCH_LOAD_RESCORE_CUSTOMERS ?? 100_000);
/** Length of the bare-receiver reference run (the same rate; it needs no more than a minute to show its tail). */
const REF_SECONDS = Math.min(SECONDS, Number(process.env.BENCH_LOAD_REF_SECONDS ?? 30));
const TARGET_P99_MS = 25;
/** How long the bench waits, after the last delivery was answered, for the workers to finish (then it reports what they did). */
const PROCESS_TIMEOUT_S = Number(process.env.BENCH_PROCESS_TIMEOUT_S ?? 180);
/** Processing keeps up when it runs at this share of the offered rate, over the sending and the drain after it. */
const KEEP_UP = 0.95;

export const title = "Load: 500 webhooks/s while a store is rescored";
export const description =
  `${RATE} signed deliveries/s for ${SECONDS} s (BENCH_LOAD_SECONDS) to the real app with workers in a child process, while the workers rescore a ` +
  `${fmt(RESCORE_CUSTOMERS, 0)}-customer store back to back; exactly-once checked against a serial application of the same deliveries. ` +
  `Reference: the bare node:http + node-postgres receiver at the same rate for ${REF_SECONDS} s (BENCH_LOAD_REF_SECONDS).`;

interface Lag {
  p50: number;
  p99: number;
  max: number;
}

async function queueLag(app: BenchApp, storeId: number): Promise<Lag> {
  const [r] = await app.query<{ p50: number; p99: number; max: number }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max
     FROM (SELECT extract(epoch FROM "processedAt" - "receivedAt") * 1000 AS ms FROM "WebhookReceipt" WHERE "storeId" = $1 AND "processedAt" IS NOT NULL) l`,
    [storeId],
  );
  return { p50: Number(r!.p50), p99: Number(r!.p99), max: Number(r!.max) };
}

type OnceCheck = {
  stored: number;
  processed: number;
  failed: number;
  pending: number;
  /** Receipts whose processing was recorded more than once. */
  processedTwice: number;
  /** webhook.process jobs completed more than once for one receipt (a second job that found nothing to do). */
  extraJobs: number;
};

async function exactlyOnce(app: BenchApp, storeId: number): Promise<OnceCheck> {
  const [r] = await app.query<OnceCheck>(
    `SELECT count(*)::int AS stored,
            (count(*) FILTER (WHERE status IN ('processed', 'skipped')))::int AS processed,
            (count(*) FILTER (WHERE status = 'failed'))::int AS failed,
            (count(*) FILTER (WHERE status = 'received'))::int AS pending,
            (count(*) FILTER (WHERE attempts > 1))::int AS "processedTwice",
            (SELECT count(*)::int FROM (SELECT data->>'receiptId' FROM pgboss.job WHERE name = $2 AND state = 'completed' AND data->>'storeId' = $3
                                        GROUP BY 1 HAVING count(*) > 1) d) AS "extraJobs"
     FROM "WebhookReceipt" WHERE "storeId" = $1`,
    [storeId, QUEUES.webhookProcess, String(storeId)],
  );
  return r!;
}

interface Backlog {
  /** Most receipts waiting (stored, not yet processed) at any sample, and the oldest wait seen (ms). */
  maxWaiting: number;
  maxOldestMs: number;
  /** The same when the last delivery had been answered. */
  atEnd: { waiting: number; oldestMs: number };
  samples: number;
}

async function backlogNow(app: BenchApp, storeId: number): Promise<{ waiting: number; oldestMs: number }> {
  const [r] = await app.query<{ waiting: number; oldest: number | null }>(
    `SELECT count(*)::int AS waiting, (extract(epoch FROM localtimestamp - min("receivedAt")) * 1000)::float8 AS oldest
     FROM "WebhookReceipt" WHERE "storeId" = $1 AND status = 'received'`,
    [storeId],
  );
  return { waiting: r!.waiting, oldestMs: Math.max(0, r!.oldest ?? 0) };
}

/** Sample the queue of the store's unprocessed receipts every second while the load runs. */
function backlogSampler(app: BenchApp, storeId: number) {
  let stopped = false;
  const seen = { maxWaiting: 0, maxOldestMs: 0, samples: 0 };
  const done = (async () => {
    while (!stopped) {
      const b = await backlogNow(app, storeId);
      seen.maxWaiting = Math.max(seen.maxWaiting, b.waiting);
      seen.maxOldestMs = Math.max(seen.maxOldestMs, b.oldestMs);
      seen.samples++;
      await new Promise((res) => setTimeout(res, 1000));
    }
  })();
  return {
    async stop(): Promise<Backlog> {
      stopped = true;
      await done;
      const atEnd = await backlogNow(app, storeId);
      return { ...seen, maxWaiting: Math.max(seen.maxWaiting, atEnd.waiting), maxOldestMs: Math.max(seen.maxOldestMs, atEnd.oldestMs), atEnd };
    },
  };
}

/** Keep one rescore of the big store queued or running for as long as `running()` says. */
function rescoreLoop(app: BenchApp, storeId: number | null, running: () => boolean) {
  let stopped = false;
  const done = (async () => {
    while (storeId !== null && !stopped && running()) {
      const [r] = await app.query<{ n: number }>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state < 'completed'`, [QUEUES.rescore]);
      if (r!.n === 0) await enqueueRescore(app.services.boss, storeId);
      await new Promise((res) => setTimeout(res, 250));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
    },
  };
}

interface Processing {
  /** Every stored receipt was processed (or skipped, or failed for good) before the wait ran out. */
  finished: boolean;
  processed: number;
  /** First send → last receipt processed (finished) or → the end of the wait (not finished). */
  seconds: number;
}

/** Wait until `expected` receipts are done, at most PROCESS_TIMEOUT_S; never throws on a timeout: the figures so far are reported. */
async function waitProcessedUpTo(app: BenchApp, storeId: number, expected: number, startedAt: number): Promise<Processing> {
  const deadline = Date.now() + PROCESS_TIMEOUT_S * 1000;
  for (;;) {
    const [r] = await app.query<{ done: number; last: Date | null }>(
      `SELECT (count(*) FILTER (WHERE status <> 'received'))::int AS done, max("processedAt") AS last FROM "WebhookReceipt" WHERE "storeId" = $1`,
      [storeId],
    );
    if (r!.done >= expected) return { finished: true, processed: r!.done, seconds: ((r!.last?.getTime() ?? Date.now()) - startedAt) / 1000 };
    if (Date.now() > deadline) return { finished: false, processed: r!.done, seconds: (Date.now() - startedAt) / 1000 };
    await new Promise((res) => setTimeout(res, 50));
  }
}

interface RescoreRuns {
  completed: number;
  seconds: number[];
  /** A rescore still running when the figures were taken: seconds since it started, and whether it started before the load. */
  running: { seconds: number; sinceBeforeLoad: boolean } | null;
  failed: number;
}

async function rescoreRuns(app: BenchApp, storeId: number, from: Date, to: Date): Promise<RescoreRuns> {
  const rows = await app.query<{ state: string; seconds: number; before: boolean }>(
    `SELECT state::text, extract(epoch FROM coalesce(completed_on, now()) - started_on)::float8 AS seconds, started_on < $3 AS before FROM pgboss.job
     WHERE name = $1 AND data->>'storeId' = $2 AND state IN ('completed', 'active', 'failed', 'retry') AND started_on < $4 AND coalesce(completed_on, now()) > $3 ORDER BY started_on`,
    [QUEUES.rescore, String(storeId), from, to],
  );
  const done = rows.filter((r) => r.state === "completed");
  const active = rows.find((r) => r.state === "active");
  return {
    completed: done.length,
    seconds: done.map((r) => r.seconds),
    running: active ? { seconds: active.seconds, sinceBeforeLoad: active.before } : null,
    failed: rows.filter((r) => r.state === "failed" || r.state === "retry").length,
  };
}

export async function run(ctx: BenchContext): Promise<ResultRow[]> {
  const wanted = RATE * SECONDS;
  // A simulated shop with at least `wanted` deliveries (≈ 8 per customer); the first `wanted` are sent.
  let customers = Math.ceil(wanted / 7) + 20;
  let sim = createStoreSimulator({ seed: ctx.seed, customers, currency: "BRL", shopDomain: DEMO_SHOP_DOMAIN });
  while (sim.summary().deliveries < wanted) {
    customers = Math.ceil(customers * 1.2);
    sim = createStoreSimulator({ seed: ctx.seed, customers, currency: "BRL", shopDomain: DEMO_SHOP_DOMAIN });
  }
  const simOpts = { seed: ctx.seed, customers, currency: "BRL" };
  const phases: PhaseReport[] = [];
  const rows: ResultRow[] = [];
  ctx.log(`load: ${fmt(wanted, 0)} deliveries at ${RATE}/s (${SECONDS} s) from a ${fmt(customers, 0)}-customer shop; rescoring ${fmt(RESCORE_CUSTOMERS, 0)} customers meanwhile`);

  // Serial application of the same deliveries (in order, one batch after another, no HTTP, no queue).
  // `only`: the deliveries (by webhook id) to apply, when not every one offered was stored.
  const serialReference = async (label: string, count: number, only?: Set<string>): Promise<StateDigest> => {
    const app = await ctx.startApp(label, { http: false, workers: false });
    try {
      const store = await ensureDemoStore(app.services);
      // The sender sends in order and stops at the first abandoned one: the first `count` are exactly the deliveries offered.
      const sent = [...sim.deliveries()].slice(0, count).filter((d) => !only || only.has(d.webhookId));
      const t0 = performance.now();
      for (let i = 0; i < sent.length; i += 500) {
        const changes = sent.slice(i, i + 500).map((d) => normalizeShopifyWebhook(d.topic, d.body, { shopCurrency: store.currency }));
        await applyChanges(app.services.db, store.id, changes);
      }
      const digest = await stateDigest(app.services.db, store.id);
      ctx.log(`serial application (${label}): ${sent.length} deliveries in ${fmt((performance.now() - t0) / 1000)} s`);
      return digest;
    } finally {
      await app.close();
    }
  };
  // Computed while the rescored store is generated (set-up, not measured; 2 cores), not after the
  // load: that keeps the full 300 s run within ~8 minutes. Finished before the load starts.
  const fullReference: Promise<StateDigest | null> = serialReference("load_serial", wanted).catch((e: unknown) => {
    ctx.log(`serial application before the load failed (${e instanceof Error ? e.message : String(e)}); it runs again after the load`);
    return null;
  });

  let load: SendResult, lag: Lag, backlog: Backlog, once: OnceCheck, digest: StateDigest, processing: Processing;
  let rescores: RescoreRuns;
  let procCpu: string;
  /** Webhook ids of the stored receipts, when some deliveries were not answered 200 (errors, abandoned). */
  let storedIds: Set<string> | undefined;
  {
    const app = await ctx.startApp("load", { http: true, workers: "child" });
    try {
      const store = await ensureDemoStore(app.services);
      const { db } = app.services;
      // BENCH_LOAD_RESCORE_CUSTOMERS=0: no rescoring (to see the webhook path's own cost).
      const big = RESCORE_CUSTOMERS > 0 ? await db.store.create({ data: { platform: "shopify", domain: "bench-load-rescore.myshopify.com", name: "Rescore", timezone: "America/Sao_Paulo" } }) : null;
      if (big) {
        const t0 = performance.now();
        await generate(db, big.id, RESCORE_CUSTOMERS);
        await db.$transaction((tx) => recomputeAllCustomerStats(tx, big.id), { timeout: 3_600_000 });
        await db.$executeRaw`VACUUM ANALYZE "CustomerStats"`;
        ctx.log(`rescore store: ${fmt(RESCORE_CUSTOMERS, 0)} customers generated in ${fmt((performance.now() - t0) / 1000)} s`);
      }
      // The serial reference must not run during the load (its CPU would be noise in the figures).
      await fullReference;

      const target = targetOf(app);
      await warmUp(app, target);
      const sender = await prepareThreadSender({ target, simulator: simOpts, mode: "paced", rate: RATE, concurrency: ctx.concurrency, limit: wanted, maxInFlight: ABANDON_IN_FLIGHT });
      let sending = true;
      const loop = rescoreLoop(app, big?.id ?? null, () => sending);
      // Let the first rescore start before the load begins, so the two overlap from the first second.
      const firstStart = big ? Date.now() + 30_000 : 0;
      while (Date.now() < firstStart) {
        const [r] = await app.query<{ n: number }>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'active'`, [QUEUES.rescore]);
        if (r!.n > 0) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      const loadLabel = `load: ${RATE}/s + rescoring`;
      const probe = ctx.probe(app, loadLabel);
      const cpuByProcess = await startProcCpu(app);
      const from = new Date();
      const startedAt = Date.now();
      const sampler = backlogSampler(app, store.id);
      try {
        load = await sender.go();
      } catch (e) {
        await probe.stop();
        await sampler.stop();
        throw e;
      } finally {
        sending = false;
        await loop.stop();
      }
      backlog = await sampler.stop();
      const to = new Date();
      try {
        processing = await waitProcessedUpTo(app, store.id, load.sent, startedAt);
      } finally {
        const cpu = await cpuByProcess.stop();
        const phase = await probe.stop();
        phases.push(phase);
        procCpu = procCpuTable(loadLabel, phase.seconds, cpu);
      }
      if (!processing.finished) ctx.log(`load: only ${fmt(processing.processed, 0)} of ${fmt(load.sent, 0)} receipts processed ${PROCESS_TIMEOUT_S} s after the load; reporting what was done`);
      lag = await queueLag(app, store.id);
      once = await exactlyOnce(app, store.id);
      digest = await stateDigest(db, store.id);
      if (load.failed > 0 || load.abandoned > 0) {
        const keys = await app.query<{ k: string }>(`SELECT "dedupeKey" AS k FROM "WebhookReceipt" WHERE "storeId" = $1`, [store.id]);
        storedIds = new Set(keys.map((r) => r.k));
      }
      rescores = big ? await rescoreRuns(app, big.id, from, to) : { completed: 0, seconds: [], running: null, failed: 0 };
      ctx.log(`load: ${fmt(load.sent / load.seconds)} deliveries/s, p99 ${fmt(latencySummary(load.latencies).p99)} ms, lag p99 ${fmt(lag.p99)} ms, ${rescores.completed} rescores`);
    } finally {
      await app.close();
    }
  }

  // When the sender stopped early (abandoned) or some requests failed, the reference is what was
  // stored of the prefix it offered (a failed request may or may not have been stored; a stored
  // one must be processed), applied afresh.
  const reference = (!storedIds && load.sent === wanted ? await fullReference : null) ?? (await serialReference("load_serial_stored", load.sent + load.failed, storedIds));

  // Reference: the bare receiver at the same rate, for REF_SECONDS.
  const bare = await withBareReceiver(ctx, "load_bare", async ({ app, target }) => {
    const sender = await prepareThreadSender({ target, simulator: simOpts, mode: "paced", rate: RATE, concurrency: ctx.concurrency, limit: RATE * REF_SECONDS, maxInFlight: ABANDON_IN_FLIGHT });
    const probe = ctx.probe(app, `reference: bare receiver ${RATE}/s for ${REF_SECONDS} s`);
    const result = await sender.go();
    phases.push(await probe.stop());
    return result;
  });

  const l = latencySummary(load.latencies);
  const b = latencySummary(bare.latencies);
  const complete = load.sent === wanted && load.failed === 0 && load.abandoned === 0;
  const processedRate = processing.processed / processing.seconds;
  const backlogAfter = once.stored - processing.processed;
  const onceOk = once.stored === load.sent && once.processed === load.sent && once.failed === 0 && once.pending === 0 && once.processedTwice === 0;
  const sameAsSerial = JSON.stringify(digest) === JSON.stringify(reference);
  const statuses = Object.entries(load.statuses).map(([k, v]) => `${v}× ${k}`).join(", ");
  rows.push(
    {
      metric: `throughput (${RATE}/s offered for ${SECONDS} s)`,
      measured: `${fmt(load.sent / load.seconds)} deliveries/s`,
      reference: `${fmt(bare.sent / bare.seconds)} deliveries/s (bare, ${REF_SECONDS} s)`,
      target: `${RATE}/s, nothing lost`,
      verdict: complete ? "pass" : "fail",
      note: `${fmt(load.sent, 0)} answered 200 of ${fmt(wanted, 0)}; ${statuses}${load.abandoned ? `; ${load.abandoned} abandoned (server too far behind)` : ""}`,
      value: load.sent / load.seconds,
    },
    {
      metric: "200 answer latency p50 / p99",
      measured: `${fmt(l.p50)} / ${fmt(l.p99)} ms (max ${fmt(l.max)})`,
      reference: `bare: ${fmt(b.p50)} / ${fmt(b.p99)} ms (max ${fmt(b.max)})`,
      target: `p99 < ${TARGET_P99_MS} ms`,
      verdict: l.p99 < TARGET_P99_MS ? "pass" : "fail",
      note: `measured on the client (node:http, deliveries signed before the clock started); ${senderCpuText(load)} (bare: ${senderCpuText(bare)})`,
      value: l.p99,
    },
    {
      metric: "processing throughput (first send → last processed)",
      measured: `${fmt(processedRate)} deliveries/s`,
      reference: `${fmt(load.sent / load.seconds)} deliveries/s received`,
      target: `≥ ${fmt(KEEP_UP * RATE, 0)}/s (${KEEP_UP * 100} % of the offered ${RATE}/s), backlog drained`,
      verdict: processing.finished && processedRate >= KEEP_UP * RATE ? "pass" : "fail",
      note: processing.finished
        ? `all ${fmt(processing.processed, 0)} receipts processed ${fmt(processing.seconds)} s after the first send (sending took ${fmt(load.seconds)} s)`
        : `NOT FINISHED: ${fmt(processing.processed, 0)} of ${fmt(once.stored, 0)} stored receipts processed ${fmt(processing.seconds)} s after the first send ` +
          `(${PROCESS_TIMEOUT_S} s after the load, BENCH_PROCESS_TIMEOUT_S); backlog at the end ${fmt(backlogAfter, 0)} receipts`,
      value: processedRate,
    },
    {
      metric: "queue lag (received → processed) p50 / p99 / max",
      measured: `${fmt(lag.p50)} / ${fmt(lag.p99)} / ${fmt(lag.max)} ms`,
      target: "bounded (does not grow with the run)",
      verdict: processing.finished ? "info" : "fail",
      note: `every processed receipt's processedAt − receivedAt${processing.finished ? "" : `; ${fmt(backlogAfter, 0)} receipts still waiting are not in these figures`}`,
      value: lag.p99,
    },
    {
      metric: "queue backlog: max during the load / when the last delivery was answered",
      measured: `${fmt(backlog.maxWaiting, 0)} receipts, oldest ${fmt(backlog.maxOldestMs)} ms / ${fmt(backlog.atEnd.waiting, 0)} receipts, oldest ${fmt(backlog.atEnd.oldestMs)} ms`,
      verdict: processing.finished ? "info" : "fail",
      note: `receipts stored but not yet processed, sampled every second (${backlog.samples} samples); a backlog that keeps growing would mean the workers do not keep up`,
      value: backlog.maxOldestMs,
    },
    {
      metric: "exactly once",
      measured:
        onceOk && sameAsSerial
          ? `${fmt(load.sent, 0)} answered 200, ${fmt(once.stored, 0)} stored, ${fmt(once.processed, 0)} processed, 0 twice; state = serial application`
          : !processing.finished
            ? `not provable yet: ${fmt(once.pending, 0)} of ${fmt(once.stored, 0)} stored receipts unprocessed; ${fmt(once.processed, 0)} processed, ${fmt(once.processedTwice, 0)} twice`
            : "MISMATCH",
      // Unfinished processing is a throughput failure (rows above), not proof of a wrong result; duplicates or loss are.
      verdict: onceOk && sameAsSerial ? "ok" : !processing.finished && once.processedTwice === 0 && once.stored === load.sent ? "fail" : "FAILED",
      note:
        `stored ${once.stored}, processed ${once.processed}, failed ${once.failed}, pending ${once.pending}, processed twice ${once.processedTwice}, ` +
        `extra no-op jobs ${once.extraJobs}; customers ${digest.customers}/${reference.customers}, orders ${digest.orders}/${reference.orders}, ` +
        `revenue ${digest.revenueMinor}/${reference.revenueMinor}, stats rows ${digest.stats.rows}/${reference.stats.rows}` +
        (sameAsSerial ? "" : `; digest differs: ${JSON.stringify(digest)} vs ${JSON.stringify(reference)}`),
      value: once.processedTwice,
    },
    {
      metric: `rescoring of ${fmt(RESCORE_CUSTOMERS, 0)} customers during the load`,
      measured: `${rescores.completed} completed${rescores.running ? `, 1 running for ${fmt(rescores.running.seconds)} s` : ""}${rescores.failed ? `, ${rescores.failed} failed` : ""}`,
      target: "rescores keep completing during the load (back to back)",
      // A rescore that never finishes (starved, or restarted) is a failure, not rescoring "throughout".
      verdict: RESCORE_CUSTOMERS === 0 ? "n/a yet" : rescores.failed ? "fail" : rescores.completed > 0 ? "ok" : "fail",
      note:
        RESCORE_CUSTOMERS === 0
          ? "no rescoring in this run (BENCH_LOAD_RESCORE_CUSTOMERS=0)"
          : (rescores.seconds.length ? `completed ones took ${rescores.seconds.map((s) => fmt(s)).join(", ")} s` : "none completed during the load") +
            (rescores.running ? `; one still running when the figures were taken (started ${rescores.running.sinceBeforeLoad ? "before" : "during"} the load)` : ""),
      value: rescores.completed,
    },
  );
  ctx.detail(phaseTable(phases));
  if (procCpu) ctx.detail(procCpu);
  for (const p of phases) {
    const top = statementTable(p, 12);
    if (top) ctx.detail(top);
  }
  for (const p of phases) {
    const locks = lockWaitTable(p);
    ctx.detail(locks || `No lock waits sampled in ${p.label}.`);
  }
  return rows;
}
