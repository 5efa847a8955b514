// How the bulk parse thread (bulk-parse-thread.server.ts) hands its encoded records to the main
// thread: a batch is ONE string (every COPY text and platform id of the batch, back to back) and
// ONE Float64Array (kinds, platform updated_at, string lengths, counts), the array transferred
// (zero-copy). Posting the EncodedChange objects themselves made the structured clone walk
// a dozen small objects and strings per order, serialised on one side and rebuilt (young objects
// for the main thread's GC) on the other; one flat string is copied in one go, and at ~300 KB it
// lands in V8's large-object space, which scavenges never copy. The main thread cuts the pieces
// back out (slices of the batch string) into the same EncodedChange objects, so the loader sees
// exactly what it saw before. (Measured together with the encoder's date formatting: a few µs of
// CPU per order less; see the backfill bench's "Node side alone" row.)
import type { EncodedChange } from "#app/core/ingest/bulk-load.server.ts";

const CUSTOMER = 0;
const PRODUCT = 1;
const ORDER = 2;

export interface PackedBatch {
  /** Records in the batch. */
  count: number;
  /** The batch's strings, back to back, in the order `meta` names their lengths. */
  text: string;
  meta: Float64Array;
}

/** Collects encoded records into a PackedBatch. */
export class BatchPacker {
  private parts: string[] = [];
  private meta = new Float64Array(4096);
  private used = 0;
  count = 0;

  private num(value: number): void {
    if (this.used === this.meta.length) {
      const grown = new Float64Array(this.meta.length * 2);
      grown.set(this.meta);
      this.meta = grown;
    }
    this.meta[this.used++] = value;
  }

  private str(value: string): void {
    this.parts.push(value);
    this.num(value.length);
  }

  add(change: EncodedChange): void {
    this.count++;
    if (change.kind !== "order") {
      this.num(change.kind === "customer" ? CUSTOMER : PRODUCT);
      this.num(change.at);
      this.str(change.platformId);
      this.str(change.text);
      return;
    }
    this.num(ORDER);
    this.num(change.at);
    this.str(change.platformId);
    this.str(change.text);
    this.str(change.lines);
    this.num(change.lineCount);
    this.num(change.payments.length);
    for (const [platformId, text] of change.payments) {
      this.str(platformId);
      this.str(text);
    }
    if (change.customer) {
      this.num(1);
      this.num(change.customer.at);
      this.str(change.customer.platformId);
      this.str(change.customer.text);
    } else this.num(0);
  }

  /** The batch so far (the packer starts a new one). */
  take(): PackedBatch {
    const batch: PackedBatch = { count: this.count, text: this.parts.join(""), meta: this.meta.slice(0, this.used) };
    this.parts = [];
    this.used = 0;
    this.count = 0;
    return batch;
  }
}

/** The EncodedChange objects of a batch, in the order they were added. */
export function unpackBatch(batch: PackedBatch): EncodedChange[] {
  const { text, meta, count } = batch;
  const out: EncodedChange[] = new Array<EncodedChange>(count);
  let m = 0;
  let at = 0;
  const str = (): string => {
    const end = at + meta[m++]!;
    const value = text.slice(at, end);
    at = end;
    return value;
  };
  for (let i = 0; i < count; i++) {
    const kind = meta[m++]!;
    const updatedAt = meta[m++]!;
    const platformId = str();
    const encoded = str();
    if (kind !== ORDER) {
      out[i] = { kind: kind === CUSTOMER ? "customer" : "product", platformId, at: updatedAt, text: encoded };
      continue;
    }
    const lines = str();
    const lineCount = meta[m++]!;
    const paymentCount = meta[m++]!;
    const payments: [string, string][] = [];
    for (let p = 0; p < paymentCount; p++) {
      const paymentId = str();
      payments.push([paymentId, str()]);
    }
    let customer: { platformId: string; at: number; text: string } | null = null;
    if (meta[m++] === 1) {
      const customerAt = meta[m++]!;
      const customerId = str();
      customer = { platformId: customerId, at: customerAt, text: str() };
    }
    out[i] = { kind: "order", platformId, at: updatedAt, text: encoded, lines, lineCount, payments, customer };
  }
  if (m !== meta.length || at !== text.length) throw new Error(`bulk parse thread: a batch of ${count} records did not unpack whole`);
  return out;
}
