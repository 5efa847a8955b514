// Rescoring in a worker thread. RFM is SQL, but fitting the prediction models and k-means with its
// silhouette search (O(n²) on up to 20k buyers) are seconds to minutes of synchronous CPU. On the
// job worker's event loop that blocked everything else the process does — webhook batches, pg-boss
// heartbeats — for as long: measured with bench/load.bench.ts on a busy 2-core machine, a webhook
// batch's transaction sat idle for 190 s and every active job was failed as "job heartbeat timeout"
// and retried while its first run was still open. In a thread, the process keeps serving its other
// jobs while a store is rescored; the thread opens its own small pool.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), "rescore-thread.worker.ts");

export interface RescoreSummary {
  customers: number;
  changed: number;
  clusters: number | null;
  skipped: string[];
  seconds: { rfm: number; predictions: number; clusters: number };
}

/** The thread's entry is a TypeScript source file: present when running from source (tsx), not in a bundled build. */
export function canRescoreInThread(): boolean {
  return fs.existsSync(ENTRY);
}

export function rescoreInThread(databaseUrl: string, storeId: number): Promise<RescoreSummary> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: { databaseUrl, storeId }, execArgv: ["--import", "tsx"] });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    worker.once("message", (m: { ok: true; summary: RescoreSummary } | { ok: false; error: string }) =>
      settle(() => (m.ok ? resolve(m.summary) : reject(new Error(m.error)))),
    );
    worker.once("error", (e) => settle(() => reject(e)));
    worker.once("exit", (code) => settle(() => reject(new Error(`rescore thread exited with code ${code} before answering`))));
  });
}
