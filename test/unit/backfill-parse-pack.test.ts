// The bulk parse thread posts its encoded records as one string + one transferred Float64Array
// (app/core/sync/bulk-parse-thread.pack.ts): the main thread must get back exactly the
// EncodedChange objects the thread packed, in order, across batches.
import { describe, expect, it } from "vitest";
import { MessageChannel } from "node:worker_threads";
import { once } from "node:events";
import { BatchPacker, unpackBatch, type PackedBatch } from "../../app/core/sync/bulk-parse-thread.pack.ts";
import type { EncodedChange } from "../../app/core/ingest/bulk-load.server.ts";

const changes: EncodedChange[] = [
  { kind: "customer", platformId: "101", at: 1_763_000_000_123, text: "101\tAna\tJoão ✓ 😀\t\\N\n" },
  { kind: "product", platformId: "7", at: 0, text: "7\tCamiseta\\tazul\n" },
  {
    kind: "order",
    platformId: "5001",
    at: 1_763_000_100_000,
    text: "101\t5001\t#1001\n",
    lines: "5001\t1\ta\n5001\t2\tb\n",
    lineCount: 2,
    payments: [
      ["p1", "5001\tp1\tpix\n"],
      ["p2", "5001\tp2\tboleto\n"],
    ],
    customer: { platformId: "101", at: 1_763_000_000_123, text: "101\tAna\tJoão ✓ 😀\t\\N\n" },
  },
  { kind: "order", platformId: "5002", at: 0, text: "\\N\t5002\n", lines: "", lineCount: 0, payments: [], customer: null },
  { kind: "customer", platformId: "", at: Number.MAX_SAFE_INTEGER, text: "" },
];

describe("bulk parse thread batches", () => {
  it("unpack to the same changes, in order", () => {
    const packer = new BatchPacker();
    for (const change of changes) packer.add(change);
    expect(packer.count).toBe(changes.length);
    const batch = packer.take();
    expect(batch.count).toBe(changes.length);
    expect(unpackBatch(batch)).toEqual(changes);
  });

  it("start afresh after each take, and grow past their first array", () => {
    const packer = new BatchPacker();
    packer.add(changes[0]!);
    const first = packer.take();
    expect(packer.count).toBe(0);
    const many = Array.from({ length: 2000 }, (_, i) => ({ ...changes[2]!, platformId: String(i) }) as EncodedChange);
    for (const change of many) packer.add(change);
    const second = packer.take();
    expect(unpackBatch(first)).toEqual([changes[0]]);
    expect(unpackBatch(second)).toEqual(many);
    expect(unpackBatch(packer.take())).toEqual([]);
  });

  it("cross a real message port with the array transferred", async () => {
    const packer = new BatchPacker();
    for (const change of changes) packer.add(change);
    const batch = packer.take();
    const { port1, port2 } = new MessageChannel();
    const received = once(port2, "message");
    port1.postMessage(batch, [batch.meta.buffer as ArrayBuffer]);
    expect(batch.meta.byteLength).toBe(0); // moved, not copied
    const [message] = (await received) as [PackedBatch];
    port1.close();
    port2.close();
    expect(unpackBatch(message)).toEqual(changes);
  });

  it("refuse a batch that does not add up", () => {
    const packer = new BatchPacker();
    packer.add(changes[0]!);
    const batch = packer.take();
    expect(() => unpackBatch({ ...batch, text: `${batch.text}x` })).toThrow(/did not unpack whole/);
  });
});
