// Entry of the bulk parse thread (bulk-parse-thread.server.ts): pulls the bulk file's bytes from
// the parent, parses, normalises and encodes each record as COPY text, and posts them back in
// batches, at most MAX_UNACKED batches ahead of the parent.
import { parentPort, workerData } from "node:worker_threads";
import { readBulkJsonl } from "#adapters/shopify/bulk-operations.server.ts";
import { customerStatisticsOf, normalizeBulkRecord } from "#adapters/shopify/normalize-graphql.ts";
import { encodeBulkRecord } from "#adapters/shopify/bulk-encode.ts";
import { encodeChange, type EncodedChange } from "#app/core/ingest/bulk-load.server.ts";
import type { ShopifyStatisticsRow } from "#app/core/analytics/shopify-rfm.server.ts";
import type { FromParent, ToParent } from "./bulk-parse-thread.server.ts";
import { BatchPacker } from "./bulk-parse-thread.pack.ts";

const BATCH = 200;
const port = parentPort!;
const { shopCurrency, aheadRecords } = workerData as { shopCurrency: string; aheadRecords: number };
const options = { shopCurrency };
// Up to a whole chunk ahead of the loader: while the main thread waits for chunk N's merge with
// chunk N+1 full, this thread keeps parsing chunk N+2 instead of idling (and the database then
// never waits for a chunk to be parsed after the previous merge). At most one extra chunk of COPY
// text (~20 MB at 10,000 orders) in memory.
const MAX_UNACKED = Math.max(4, Math.ceil(aheadRecords / BATCH));
/**
 * Bytes handed to readBulkJsonl at a time (views of the parent's chunk, no copy). readBulkJsonl
 * parses every line a piece completes before handing out the first record, so with the 1 MiB
 * chunks the parent reads, ~300 parsed orders (a few MB of objects) were alive at once, and each
 * scavenge copied (and promoted) whatever of them was still alive. With 64 KiB pieces that is
 * ~20 orders. Measured on 50,000 bench orders (busy machine, alternating runs): the process's
 * CPU outside the two JavaScript threads (V8's GC helpers) fell from ~14–21 to ~11 µs per order,
 * the thread's own unchanged; 16 KiB or 256 KiB did no better.
 */
const PIECE = 64 * 1024;
/** Customers whose last sent copy is remembered (at most; oldest forgotten first). */
const REMEMBERED_CUSTOMERS = 50_000;

let unacked = 0;
let ackWaiter: (() => void) | null = null;
let bytesWaiter: ((message: FromParent) => void) | null = null;
const post = (message: ToParent) => port.postMessage(message, message.t === "batch" ? [message.batch.meta.buffer as ArrayBuffer] : []);

port.on("message", (message: FromParent) => {
  if (message.t === "ack") {
    unacked--;
    const wake = ackWaiter;
    ackWaiter = null;
    wake?.();
    return;
  }
  const deliver = bytesWaiter;
  bytesWaiter = null;
  deliver?.(message);
});

async function* bytes(): AsyncGenerator<Uint8Array | string> {
  for (;;) {
    const message = await new Promise<FromParent>((resolve) => {
      bytesWaiter = resolve;
      post({ t: "pull" });
    });
    if (message.t === "end") return;
    if (message.t !== "bytes") continue;
    const data = message.data;
    if (typeof data === "string" || data.length <= PIECE) {
      yield data;
      continue;
    }
    for (let at = 0; at < data.length; at += PIECE) yield data.subarray(at, at + PIECE);
  }
}

const packer = new BatchPacker();
let statistics: [number, ShopifyStatisticsRow][] = [];

async function send(): Promise<void> {
  while (unacked >= MAX_UNACKED) await new Promise<void>((resolve) => (ackWaiter = resolve));
  unacked++;
  post({ t: "batch", batch: packer.take(), statistics });
  statistics = [];
}

// Shopify embeds the customer's current state in each of its orders: the same row again and
// again. A copy identical to the last one sent for that customer is left out (the order keeps its
// customer's platform id): applying it again right after itself changes nothing under the merge
// rules (a tie with the same content leaves the row alone; a copy that lost to a newer one loses
// again), and that earlier copy is in this chunk or an earlier, committed, one. Saves copying it
// to the main thread, COPYing it and merging it.
const lastSent = new Map<string, string>();
function withoutRepeatedCustomer(change: EncodedChange): EncodedChange {
  if (change.kind !== "order" || !change.customer) return change;
  const { platformId, text } = change.customer;
  if (lastSent.get(platformId) === text) return { ...change, customer: null };
  lastSent.delete(platformId); // re-inserted last: the map forgets the longest-unseen customers first
  lastSent.set(platformId, text);
  if (lastSent.size > REMEMBERED_CUSTOMERS) lastSent.delete(lastSent.keys().next().value!);
  return change;
}

try {
  for await (const record of readBulkJsonl(bytes())) {
    // The direct encoder (adapters/shopify/bulk-encode.ts); what it does not take goes the reference way.
    const change = encodeBulkRecord(record, options) ?? encodeChange(normalizeBulkRecord(record, options));
    const shopify = change.kind === "customer" ? customerStatisticsOf(record.node) : null;
    if (shopify) statistics.push([packer.count, { platformId: change.platformId, ...shopify }]);
    packer.add(withoutRepeatedCustomer(change));
    if (packer.count >= BATCH) await send();
  }
  if (packer.count) await send();
  // This thread's own CPU (JSON.parse, normaliser, encoder), for the backfill bench's attribution.
  const cpu = process.threadCpuUsage();
  post({ t: "done", cpuMicros: cpu.user + cpu.system });
} catch (e) {
  // The records before the bad one first, as the in-thread path would have loaded them.
  if (packer.count) await send();
  const error = e as Error & { line?: unknown };
  post({ t: "error", name: error?.name ?? "Error", message: error?.message ?? String(e), line: typeof error?.line === "number" ? error.line : null });
}
