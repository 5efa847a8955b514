// Parse, normalise and encode a bulk result file in a worker thread, so that Node's two halves of
// the backfill overlap: the thread turns JSONL into COPY text (JSON.parse, the normaliser, the
// encoder: most of Node's CPU per order) while the main thread sends the previous chunk to
// PostgreSQL. Records come back in file order (one thread, ordered messages), so `__parentId`
// grouping, "later wins ties" and progress work exactly as in-thread. The main thread reads the
// source and hands the bytes over as the thread asks for them (the file is never held whole); the
// thread stays at most `aheadRecords` (a chunk) ahead of what the loader took. Errors (bad JSONL line, bad payload)
// come back with their message and line and are thrown from the iterator, after the records that
// preceded them.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { BulkJsonlError, chunksOf, type ByteSource } from "#adapters/shopify/bulk-operations.server.ts";
import type { EncodedChange } from "#app/core/ingest/bulk-load.server.ts";
import type { ShopifyStatisticsRow } from "#app/core/analytics/shopify-rfm.server.ts";
import { unpackBatch, type PackedBatch } from "./bulk-parse-thread.pack.ts";

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), "bulk-parse-thread.worker.ts");

export interface ParsedItem {
  change: EncodedChange;
  /** Shopify's own statistics of a customer record, when the query selected them. */
  statistics: ShopifyStatisticsRow | null;
}
export type FromParent = { t: "bytes"; data: Uint8Array | string } | { t: "end" } | { t: "ack" };
export type ToParent =
  | { t: "pull" }
  | {
      t: "batch";
      /** The records' encoded changes (bulk-parse-thread.pack.ts: one string + one transferred array). */
      batch: PackedBatch;
      /** Shopify statistics of the batch's customer records: [index in the batch, row]. */
      statistics: [number, ShopifyStatisticsRow][];
    }
  | { t: "error"; name: string; message: string; line: number | null }
  | { t: "done"; cpuMicros: number };

/**
 * The thread's young generation (V8's default is a third of this). Each order leaves ~15 KB of
 * short-lived objects (the parsed JSON, the REST body, the normalised order, its COPY text):
 * with more room between scavenges, fewer of them are still alive (copied) when one runs.
 * Measured on 50,000 bench orders, same machine, alternating runs: the process's CPU outside the
 * two JavaScript threads (V8's GC helper threads) fell from ~21 to ~17 µs per order, total ~5 µs
 * less; 192 MB gained nothing over 96.
 */
const YOUNG_GENERATION_MB = 96;

/** Filled in when the thread has gone through the whole source. */
export interface ParseThreadStats {
  /** CPU time of the parse thread (user + system), µs. */
  cpuMicros: number | null;
}

/** The thread's entry is a TypeScript source file: present when running from source (tsx, as npm start does). */
export function canParseInThread(): boolean {
  return fs.existsSync(ENTRY);
}

function rebuild(message: Extract<ToParent, { t: "error" }>): Error {
  const error = message.name === "BulkJsonlError" && message.line !== null ? new BulkJsonlError(message.line, "") : new Error();
  error.message = message.message;
  error.name = message.name;
  return error;
}

/** Batches of encoded records of a bulk JSONL source, in file order. */
export async function* parseBulkInThread(source: ByteSource, shopCurrency: string, stats?: ParseThreadStats, aheadRecords = 10_000): AsyncGenerator<ParsedItem[]> {
  const worker = new Worker(ENTRY, {
    workerData: { shopCurrency, aheadRecords },
    execArgv: ["--import", "tsx"],
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  const chunks = chunksOf(source);
  const queue: ParsedItem[][] = [];
  let done = false;
  let sourceDone = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const resume = wake;
    wake = null;
    resume?.();
  };
  const fail = (e: unknown) => {
    failure ??= e instanceof Error ? e : new Error(String(e));
    notify();
  };
  // One read of the source at a time, in the order the thread asks.
  let reading: Promise<void> = Promise.resolve();
  const pull = async () => {
    const next = await chunks.next();
    if (next.done) {
      sourceDone = true;
      worker.postMessage({ t: "end" } satisfies FromParent);
    } else {
      worker.postMessage({ t: "bytes", data: next.value } satisfies FromParent);
    }
  };
  worker.on("message", (message: ToParent) => {
    switch (message.t) {
      case "pull":
        reading = reading.then(pull).catch(fail);
        break;
      case "batch": {
        const items: ParsedItem[] = unpackBatch(message.batch).map((change) => ({ change, statistics: null }));
        for (const [index, row] of message.statistics) items[index]!.statistics = row;
        queue.push(items);
        notify();
        break;
      }
      case "error":
        fail(rebuild(message));
        break;
      case "done":
        done = true;
        if (stats) stats.cpuMicros = message.cpuMicros;
        notify();
        break;
    }
  });
  worker.on("error", fail);
  worker.on("exit", (code) => {
    if (!done) fail(new Error(`bulk parse thread exited with code ${code} before the end of the file`));
  });
  try {
    for (;;) {
      const items = queue.shift();
      if (items) {
        worker.postMessage({ t: "ack" } satisfies FromParent);
        yield items;
        continue;
      }
      if (failure) throw failure;
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    await worker.terminate();
    await reading.catch(() => undefined);
    // Stopped early (an error, or the consumer gave up): let the source go (a download is aborted).
    if (!sourceDone) await chunks.return(undefined).catch(() => undefined);
  }
}
