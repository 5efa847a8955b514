// Entry of the bulk parse thread (bulk-parse-thread.server.ts): pulls the bulk file's bytes from
// the parent, parses, normalises and encodes each record as COPY text, and posts them back in
// batches, at most MAX_UNACKED batches ahead of the parent.
import { parentPort, workerData } from "node:worker_threads";
import { readBulkJsonl } from "#adapters/shopify/bulk-operations.server.ts";
import { customerStatisticsOf, normalizeBulkRecord } from "#adapters/shopify/normalize-graphql.ts";
import { encodeChange } from "#app/core/ingest/bulk-load.server.ts";
import type { FromParent, ParsedItem, ToParent } from "./bulk-parse-thread.server.ts";

const BATCH = 200;
const MAX_UNACKED = 4;

const port = parentPort!;
const { shopCurrency } = workerData as { shopCurrency: string };
let unacked = 0;
let ackWaiter: (() => void) | null = null;
let bytesWaiter: ((message: FromParent) => void) | null = null;
const post = (message: ToParent) => port.postMessage(message);

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
    if (message.t === "bytes") yield message.data;
  }
}

async function send(items: ParsedItem[]): Promise<void> {
  while (unacked >= MAX_UNACKED) await new Promise<void>((resolve) => (ackWaiter = resolve));
  unacked++;
  post({ t: "batch", items });
}

let batch: ParsedItem[] = [];
try {
  for await (const record of readBulkJsonl(bytes())) {
    const change = normalizeBulkRecord(record, { shopCurrency });
    const statistics = change.kind === "customer.upsert" ? customerStatisticsOf(record.node) : null;
    batch.push({ change: encodeChange(change), statistics: statistics && change.kind === "customer.upsert" ? { platformId: change.customer.platformId, ...statistics } : null });
    if (batch.length >= BATCH) {
      await send(batch);
      batch = [];
    }
  }
  if (batch.length) await send(batch);
  // This thread's own CPU (JSON.parse, normaliser, encoder), for the backfill bench's attribution.
  const cpu = process.threadCpuUsage();
  post({ t: "done", cpuMicros: cpu.user + cpu.system });
} catch (e) {
  // The records before the bad one first, as the in-thread path would have loaded them.
  if (batch.length) await send(batch);
  const error = e as Error & { line?: unknown };
  post({ t: "error", name: error?.name ?? "Error", message: error?.message ?? String(e), line: typeof error?.line === "number" ? error.line : null });
}
