// Closed-loop POST load from a worker thread (the server under test keeps its own event loop):
// `concurrency` loops each send the next request as soon as the previous answered, for `seconds`.
// Requests are made in the thread by `makeRequest`'s source, a function body over (i) returning
// { path, headers, body }, so every request can differ (ids, shopper addresses).
import { Worker } from "node:worker_threads";

export interface SaturatedPostResult {
  latenciesMs: Float64Array;
  errors: number;
  statuses: Record<string, number>;
  /** Requests answered 2xx. */
  accepted: number;
  /** Indexes of requests answered 2xx (to know exactly what was accepted). */
  acceptedIds: Int32Array;
  seconds: number;
}

const THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const { origin, concurrency, seconds, makeRequest } = workerData;
const make = new Function("i", makeRequest);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const url = new URL(origin);
const lat = [], ok = [];
const statuses = {};
let errors = 0, next = 0, open = concurrency;
const t0 = performance.now(), end = t0 + seconds * 1000;
function one() {
  if (performance.now() >= end) { if (--open === 0) done(); return; }
  const i = next++, r = make(i), body = Buffer.from(r.body), start = performance.now();
  const req = http.request({ host: url.hostname, port: url.port, path: r.path, method: "POST", agent,
    headers: { ...r.headers, "Content-Length": body.length } }, (res) => {
    statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
    if (res.statusCode >= 200 && res.statusCode < 300) ok.push(i);
    res.resume();
    res.on("end", () => { lat.push(performance.now() - start); one(); });
  });
  req.on("error", () => { errors++; one(); });
  req.end(body);
}
function done() {
  parentPort.postMessage({ lat: Float64Array.from(lat), ok: Int32Array.from(ok), errors, statuses, seconds: (performance.now() - t0) / 1000 });
}
for (let c = 0; c < concurrency; c++) one();
`;

export function saturatedPost(opts: { origin: string; concurrency: number; seconds: number; makeRequest: string }): Promise<SaturatedPostResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(THREAD, { eval: true, workerData: opts });
    w.once("message", (m: { lat: Float64Array; ok: Int32Array; errors: number; statuses: Record<string, number>; seconds: number }) => {
      void w.terminate();
      resolve({ latenciesMs: m.lat, errors: m.errors, statuses: m.statuses, accepted: m.ok.length, acceptedIds: m.ok, seconds: m.seconds });
    });
    w.once("error", reject);
  });
}
