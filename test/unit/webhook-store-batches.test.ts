// StoreBatches (app/jobs/webhook-process.server.ts): one store's webhook batches run one at a time
// in a process and the batches that arrive meanwhile are merged into the next run; other stores
// run side by side; each caller gets the failures of the run that carried its receipts.
import { describe, expect, it } from "vitest";
import { MAX_MERGED_RECEIPTS, StoreBatches } from "../../app/jobs/webhook-process.server.ts";

/** A run function whose runs finish only when the test says so, recording what each run got. */
function controlledRuns(failing: (id: bigint) => boolean = () => false) {
  const runs: { storeId: number; ids: bigint[]; finish: (error?: Error) => void }[] = [];
  let active = 0;
  let maxActivePerStore = 0;
  const activeByStore = new Map<number, number>();
  const run = (storeId: number, ids: bigint[]) =>
    new Promise<bigint[]>((resolve, reject) => {
      active++;
      activeByStore.set(storeId, (activeByStore.get(storeId) ?? 0) + 1);
      maxActivePerStore = Math.max(maxActivePerStore, activeByStore.get(storeId)!);
      runs.push({
        storeId,
        ids: [...ids],
        finish: (error) => {
          active--;
          activeByStore.set(storeId, activeByStore.get(storeId)! - 1);
          if (error) reject(error);
          else resolve(ids.filter(failing));
        },
      });
    });
  return { runs, run, active: () => active, maxActivePerStore: () => maxActivePerStore };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const ids = (...n: number[]) => n.map(BigInt);

describe("StoreBatches", () => {
  it("runs one batch per store at a time and merges the batches that wait into one run", async () => {
    const c = controlledRuns((id) => id === 5n || id === 2n);
    const batches = new StoreBatches(c.run);
    const first = batches.process(1, ids(1, 2));
    await tick();
    const second = batches.process(1, ids(3, 4));
    const third = batches.process(1, ids(5, 6));
    await tick();
    expect(c.runs.map((r) => r.ids)).toEqual([ids(1, 2)]);
    c.runs[0]!.finish();
    expect([...(await first)]).toEqual(["2"]);
    await tick();
    // The two waiting batches went together, in arrival order.
    expect(c.runs.map((r) => r.ids)).toEqual([ids(1, 2), ids(3, 4, 5, 6)]);
    c.runs[1]!.finish();
    expect([...(await second)]).toEqual(["5"]);
    expect([...(await third)]).toEqual(["5"]);
    expect(c.maxActivePerStore()).toBe(1);
  });

  it("runs different stores side by side", async () => {
    const c = controlledRuns();
    const batches = new StoreBatches(c.run);
    const a = batches.process(1, ids(1));
    const b = batches.process(2, ids(2));
    await tick();
    expect(c.active()).toBe(2);
    expect(c.runs.map((r) => [r.storeId, r.ids])).toEqual([
      [1, ids(1)],
      [2, ids(2)],
    ]);
    for (const r of c.runs) r.finish();
    await Promise.all([a, b]);
  });

  it(`caps a merged run at ${MAX_MERGED_RECEIPTS} receipts; the rest waits for the next run`, async () => {
    const c = controlledRuns();
    const batches = new StoreBatches(c.run);
    const big = (from: number, n: number) => Array.from({ length: n }, (_, i) => BigInt(from + i));
    const running = batches.process(1, ids(0));
    await tick();
    const w1 = batches.process(1, big(1, MAX_MERGED_RECEIPTS - 10));
    const w2 = batches.process(1, big(100_000, 20)); // does not fit: a run of its own, after w1's
    await tick();
    c.runs[0]!.finish();
    await running;
    await tick();
    expect(c.runs.map((r) => r.ids.length)).toEqual([1, MAX_MERGED_RECEIPTS - 10]);
    c.runs[1]!.finish();
    await w1;
    await tick();
    expect(c.runs.map((r) => r.ids.length)).toEqual([1, MAX_MERGED_RECEIPTS - 10, 20]);
    c.runs[2]!.finish();
    await w2;
  });

  it("a run that throws rejects every batch merged into it, and the store's next batches still run", async () => {
    const c = controlledRuns();
    const batches = new StoreBatches(c.run);
    const first = batches.process(1, ids(1));
    await tick();
    const second = batches.process(1, ids(2));
    const third = batches.process(1, ids(3));
    c.runs[0]!.finish();
    await first;
    await tick();
    c.runs[1]!.finish(new Error("database gone"));
    await expect(second).rejects.toThrow("database gone");
    await expect(third).rejects.toThrow("database gone");
    const fourth = batches.process(1, ids(4));
    await tick();
    expect(c.runs.at(-1)!.ids).toEqual(ids(4));
    c.runs.at(-1)!.finish();
    expect([...(await fourth)]).toEqual([]);
  });
});
