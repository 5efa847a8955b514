// Worker-thread entry of prepareThreadSender (sender.ts): render the simulated deliveries, say
// ready, send them on "go", post the result back.
import { parentPort, workerData } from "node:worker_threads";
import { createStoreSimulator } from "../../adapters/shopify/simulator/index.ts";
import { sendPaced, sendSaturated, type SendResult, type ThreadSendOptions } from "./sender.ts";

const opts = workerData as ThreadSendOptions;
const port = parentPort!;
try {
  const sim = createStoreSimulator({ ...opts.simulator, shopDomain: opts.target.shop });
  let deliveries = [...sim.deliveries()];
  if (opts.limit !== undefined) deliveries = deliveries.slice(0, opts.limit);
  await new Promise<void>((resolve) => {
    port.once("message", () => resolve());
    port.postMessage({ type: "ready", count: deliveries.length });
  });
  const result: SendResult =
    opts.mode === "paced" ? await sendPaced(deliveries, opts.target, opts.rate ?? 500, opts.maxInFlight) : await sendSaturated(deliveries, opts.target, opts.concurrency);
  port.postMessage({ type: "done", result }, [result.latencies.buffer as ArrayBuffer]);
} catch (e) {
  port.postMessage({ type: "error", error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
