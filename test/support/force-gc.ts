// V8's garbage collector on demand, for tests of what a collection may do (e.g. undici cancelling
// the body of a collected fetch Response), without starting vitest with --expose-gc.
import v8 from "node:v8";
import vm from "node:vm";

/** The gc() function (a full collection). */
export function exposedGc(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

/** Full collections, each followed by a turn of the event loop (FinalizationRegistry callbacks run in a later task). */
export async function collectGarbage(rounds = 4): Promise<void> {
  const gc = exposedGc();
  for (let i = 0; i < rounds; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A full collection every `everyMs` until the returned function is called. */
export function collectGarbageEvery(everyMs: number): () => void {
  const timer = setInterval(exposedGc(), everyMs);
  return () => clearInterval(timer);
}
