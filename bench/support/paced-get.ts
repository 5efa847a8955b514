// Open-loop GET load at a fixed rate from a worker thread (so the load generator does not share the
// event loop with the server under test). Latency is measured from each request's scheduled start,
// so a stalled server cannot hide its queueing delay (no coordinated omission). URLs are made in
// the thread by `makeUrl`'s source (a function body over (i, crypto)) so signatures stay fresh.
import { Worker } from "node:worker_threads";

export interface PacedGetResult {
  latenciesMs: Float64Array;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
}

const THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const crypto = require("node:crypto");
const { rate, seconds, makeUrl, maxInFlight } = workerData;
const make = new Function("i", "crypto", makeUrl);
const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
const total = Math.round(rate * seconds);
const lat = new Float64Array(total);
const statuses = {};
let done = 0, errors = 0, inFlight = 0, i = 0;
const t0 = performance.now();
function fire(n, scheduled) {
  inFlight++;
  const req = http.get(make(n, crypto), { agent }, (res) => {
    statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
    res.resume();
    res.on("end", () => finish(n, scheduled));
  });
  req.on("error", () => { errors++; finish(n, scheduled); });
}
function finish(n, scheduled) {
  lat[n] = performance.now() - scheduled;
  inFlight--;
  if (++done === total) parentPort.postMessage({ lat, errors, statuses, seconds: (performance.now() - t0) / 1000 });
}
function tick() {
  const now = performance.now();
  while (i < total && t0 + (i * 1000) / rate <= now) { fire(i, t0 + (i * 1000) / rate); i++; }
  if (i < total) setTimeout(tick, 1);
}
tick();
`;

export function pacedGet(opts: { rate: number; seconds: number; makeUrl: string; maxInFlight?: number }): Promise<PacedGetResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(THREAD, { eval: true, workerData: { maxInFlight: 256, ...opts } });
    w.once("message", (m: { lat: Float64Array; errors: number; statuses: Record<string, number>; seconds: number }) => {
      void w.terminate();
      resolve({ latenciesMs: m.lat, errors: m.errors, statuses: m.statuses, seconds: m.seconds });
    });
    w.once("error", reject);
  });
}
