// Sending simulated Shopify deliveries the way the product does (postShopifyDelivery, and
// sendDeliveries with its retries), timing every request on the client with performance.now().
// Two modes: as fast as `concurrency` connections allow (closed loop), or at a steady rate (open
// loop: a request leaves on schedule whether or not earlier ones have been answered).
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import type { SimulatedDelivery } from "../../adapters/shopify/simulator/index.ts";
import { postShopifyDelivery, sendDeliveries } from "../../app/demo/demo-store.server.ts";

export interface SendResult {
  sent: number;
  failed: number;
  seconds: number;
  /** Milliseconds, one per HTTP attempt (retries included). */
  latencies: Float64Array;
  statuses: Record<string, number>;
  maxInFlight: number;
  /** Paced mode: how late the sender itself started requests (worst case, ms). */
  maxScheduleLagMs: number;
  /** Paced mode: requests not sent because the server fell too far behind (see sendPaced). */
  abandoned: number;
}

export interface SendTarget {
  endpoint: string;
  shop: string;
  secret: string;
}

function timedPoster(target: SendTarget) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let inFlight = 0;
  let maxInFlight = 0;
  const post = async (d: SimulatedDelivery): Promise<Response> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const t0 = performance.now();
    try {
      const res = await postShopifyDelivery(target.endpoint, target.shop, target.secret, d);
      // Read the (usually empty) body so the keep-alive connection is free for the next request.
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      return res;
    } catch (e) {
      statuses.error = (statuses.error ?? 0) + 1;
      throw e;
    } finally {
      latencies.push(performance.now() - t0);
      inFlight--;
    }
  };
  return { post, latencies, statuses, maxInFlight: () => maxInFlight };
}

/** Closed loop, exactly like seedDemoStore: sendDeliveries with retries, `concurrency` at a time. */
export async function sendSaturated(deliveries: Iterable<SimulatedDelivery>, target: SendTarget, concurrency: number): Promise<SendResult> {
  const p = timedPoster(target);
  const t0 = performance.now();
  const r = await sendDeliveries(deliveries, p.post, { concurrency });
  const seconds = (performance.now() - t0) / 1000;
  return { ...r, seconds, latencies: Float64Array.from(p.latencies), statuses: p.statuses, maxInFlight: p.maxInFlight(), maxScheduleLagMs: 0, abandoned: 0 };
}

/**
 * Open loop at `rate` requests/s, no retries (a non-2xx answer counts as failed). When more than
 * `maxInFlight` requests are unanswered the server cannot keep up (latency only grows from there):
 * the rest is abandoned, so a hopeless run does not eat the time budget.
 */
export async function sendPaced(deliveries: SimulatedDelivery[], target: SendTarget, rate: number, maxInFlight = 250): Promise<SendResult> {
  const p = timedPoster(target);
  const t0 = performance.now();
  let sent = 0;
  let failed = 0;
  let maxLag = 0;
  const pending: Promise<void>[] = [];
  let abandoned = 0;
  for (let i = 0; i < deliveries.length; i++) {
    if (pending.length - sent - failed > maxInFlight) {
      abandoned = deliveries.length - i;
      break;
    }
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    maxLag = Math.max(maxLag, performance.now() - due);
    pending.push(
      p.post(deliveries[i]!).then(
        (res) => void (res.ok ? sent++ : failed++),
        () => void failed++,
      ),
    );
  }
  await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  return { sent, failed, seconds, latencies: Float64Array.from(p.latencies), statuses: p.statuses, maxInFlight: p.maxInFlight(), maxScheduleLagMs: maxLag, abandoned };
}

export interface ThreadSendOptions {
  target: SendTarget;
  simulator: { seed: number; customers: number; currency: string };
  mode: "saturated" | "paced";
  concurrency: number;
  /** Paced mode: requests per second. */
  rate?: number;
  /** Send only the first `limit` deliveries. */
  limit?: number;
  /** Paced mode: give up when more than this many requests are unanswered (default 250). */
  maxInFlight?: number;
}

export interface ThreadSender {
  /** Deliveries rendered and waiting for go(). */
  count: number;
  go(): Promise<SendResult>;
}

/**
 * Run the sender in its own thread (own event loop, own fetch pool), as Shopify is a separate
 * client: the server's latency is then not inflated by client work queued on the server's event
 * loop. The thread renders the deliveries itself from the same seed; the clock starts at go().
 */
export async function prepareThreadSender(opts: ThreadSendOptions): Promise<ThreadSender> {
  const worker = new Worker(new URL("./sender-thread.ts", import.meta.url), { workerData: opts });
  type Message = { type: "ready"; count: number } | { type: "done"; result: SendResult } | { type: "error"; error: string };
  let onMessage: (m: Message) => void = () => {};
  let onFailure: (e: Error) => void = () => {};
  worker.on("message", (m: Message) => onMessage(m));
  worker.on("error", (e) => onFailure(e));
  worker.on("exit", (code) => onFailure(new Error(`sender thread exited with code ${code}`)));
  const next = () =>
    new Promise<Message>((resolve, reject) => {
      onMessage = (m) => (m.type === "error" ? reject(new Error(`sender thread: ${m.error}`)) : resolve(m));
      onFailure = reject;
    });
  try {
    const ready = await next();
    if (ready.type !== "ready") throw new Error(`sender thread: unexpected ${ready.type}`);
    return {
      count: ready.count,
      async go() {
        try {
          const done = next();
          worker.postMessage("go");
          const m = await done;
          if (m.type !== "done") throw new Error(`sender thread: unexpected ${m.type}`);
          return m.result;
        } finally {
          await worker.terminate();
        }
      },
    };
  } catch (e) {
    await worker.terminate();
    throw e;
  }
}
