// Sending simulated Shopify deliveries and timing every request on the client with
// performance.now(). Two senders:
// - in the caller's event loop, the way the product does it (postShopifyDelivery over fetch, and
//   sendDeliveries with its retries), for the end-to-end demo-seeding figure;
// - in a worker thread (prepareThreadSender), as cheap as a load generator can be: every delivery
//   is rendered and signed (bytes + headers) before the clock starts and sent with node:http over a
//   keep-alive Agent, so the generator steals as little CPU as possible from the app under test on
//   a small machine (Shopify's servers are not on the merchant's box). The thread reports its own
//   CPU time (process.threadCpuUsage).
// Two modes: as fast as `concurrency` connections allow (closed loop, with sendDeliveries' retries),
// or at a steady rate (open loop: a request leaves on schedule whether or not earlier ones have
// been answered; no retries).
import http from "node:http";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import type { SimulatedDelivery } from "../../adapters/shopify/simulator/index.ts";
import { postShopifyDelivery, renderShopifyDelivery, sendDeliveries } from "../../app/demo/demo-store.server.ts";

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
  /** Thread sender: CPU time of the sending thread while it sent (ms), to show what the load generator costs. */
  senderCpuMs?: number;
}

export interface SendTarget {
  endpoint: string;
  shop: string;
  secret: string;
}

type Answer = Pick<Response, "ok" | "status">;

/** Wrap `send` to count statuses, requests in flight, and time each request until its body is read. */
function timedPoster<D>(send: (d: D) => Promise<Answer>) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let inFlight = 0;
  let maxInFlight = 0;
  const post = async (d: D): Promise<Answer> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const t0 = performance.now();
    try {
      const res = await send(d);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      return res;
    } catch (e) {
      // Which error (ECONNRESET, socket hang up…): a failed request must say why.
      const failure = e as { code?: unknown; message?: unknown };
      const key = `error ${typeof failure.code === "string" ? failure.code : String(failure.message ?? e)}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
      throw e;
    } finally {
      latencies.push(performance.now() - t0);
      inFlight--;
    }
  };
  return { post, latencies, statuses, maxInFlight: () => maxInFlight };
}

/** postShopifyDelivery, reading the (usually empty) body so the keep-alive connection is free for the next request. */
const fetchSender = (target: SendTarget) => async (d: SimulatedDelivery) => {
  const res = await postShopifyDelivery(target.endpoint, target.shop, target.secret, d);
  await res.arrayBuffer();
  return res;
};

/** A delivery ready to go: signed headers (Content-Length included) and the exact body bytes. */
export interface PreparedDelivery {
  headers: Record<string, string | number>;
  body: Buffer;
}

export function prepareDelivery(target: SendTarget, d: SimulatedDelivery): PreparedDelivery {
  const { headers, body } = renderShopifyDelivery(target.shop, target.secret, d);
  const bytes = Buffer.from(body);
  return { headers: { ...headers, "Content-Length": bytes.length }, body: bytes };
}

/** node:http POSTs of prepared deliveries over one keep-alive Agent; answers when the response body has been read. */
function httpSender(target: SendTarget) {
  const url = new URL(target.endpoint);
  const agent = new http.Agent({ keepAlive: true });
  const send = (p: PreparedDelivery) =>
    new Promise<Answer>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", agent, headers: p.headers }, (res) => {
        const status = res.statusCode ?? 0;
        res.on("error", reject);
        res.on("end", () => resolve({ status, ok: status >= 200 && status < 300 }));
        res.resume();
      });
      req.on("error", reject);
      req.end(p.body);
    });
  return { send, close: () => agent.destroy() };
}

function closedLoop<D>(deliveries: Iterable<D>, send: (d: D) => Promise<Answer>, concurrency: number): Promise<SendResult> {
  const p = timedPoster(send);
  const t0 = performance.now();
  return sendDeliveries(deliveries, p.post, { concurrency }).then((r) => {
    const seconds = (performance.now() - t0) / 1000;
    return { ...r, seconds, latencies: Float64Array.from(p.latencies), statuses: p.statuses, maxInFlight: p.maxInFlight(), maxScheduleLagMs: 0, abandoned: 0 };
  });
}

/** Closed loop, exactly like seedDemoStore: postShopifyDelivery over fetch, sendDeliveries with retries, `concurrency` at a time. */
export function sendSaturated(deliveries: Iterable<SimulatedDelivery>, target: SendTarget, concurrency: number): Promise<SendResult> {
  return closedLoop(deliveries, fetchSender(target), concurrency);
}

/** Closed loop over prepared deliveries (node:http), with sendDeliveries' retries. */
export async function sendSaturatedPrepared(deliveries: PreparedDelivery[], target: SendTarget, concurrency: number): Promise<SendResult> {
  const client = httpSender(target);
  try {
    return await closedLoop(deliveries, client.send, concurrency);
  } finally {
    client.close();
  }
}

/**
 * Open loop at `rate` prepared deliveries/s over node:http, no retries (a non-2xx answer counts as
 * failed). When more than `maxInFlight` requests are unanswered the server cannot keep up (latency
 * only grows from there): the rest is abandoned, so a hopeless run does not eat the time budget.
 */
export async function sendPaced(deliveries: PreparedDelivery[], target: SendTarget, rate: number, maxInFlight = 250): Promise<SendResult> {
  const client = httpSender(target);
  const p = timedPoster(client.send);
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
  client.close();
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
 * Run the sender in its own thread (own event loop, own connections), as Shopify is a separate
 * client: the server's latency is then not inflated by client work queued on the server's event
 * loop. The thread renders and signs the deliveries itself from the same seed, before go() starts
 * the clock; it then only writes prepared bytes (node:http, keep-alive).
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

/** "sender thread 12 % of a core" for a thread sender's result (nothing for the in-loop sender). */
export function senderCpuText(r: SendResult): string {
  return r.senderCpuMs === undefined ? "" : `sender thread ${Math.round(r.senderCpuMs / 10 / r.seconds)} % of a core`;
}
