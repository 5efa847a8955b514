// Worker-thread entry of prepareThreadSender (sender.ts): render and sign the simulated deliveries
// (only their bytes are kept), say ready, send them on "go", post the result back with the
// thread's own CPU time while sending.
import { parentPort, workerData } from "node:worker_threads";
import { createStoreSimulator } from "../../adapters/shopify/simulator/index.ts";
import { prepareDelivery, sendPaced, sendSaturatedPrepared, type PreparedDelivery, type SendResult, type ThreadSendOptions } from "./sender.ts";

const opts = workerData as ThreadSendOptions;
const port = parentPort!;
try {
  const sim = createStoreSimulator({ ...opts.simulator, shopDomain: opts.target.shop });
  const limit = opts.limit ?? Infinity;
  const deliveries: PreparedDelivery[] = [];
  for (const d of sim.deliveries()) {
    if (deliveries.length >= limit) break;
    deliveries.push(prepareDelivery(opts.target, d));
  }
  await new Promise<void>((resolve) => {
    port.once("message", () => resolve());
    port.postMessage({ type: "ready", count: deliveries.length });
  });
  const cpu0 = process.threadCpuUsage();
  const result: SendResult =
    opts.mode === "paced" ? await sendPaced(deliveries, opts.target, opts.rate ?? 500, opts.maxInFlight) : await sendSaturatedPrepared(deliveries, opts.target, opts.concurrency);
  const cpu = process.threadCpuUsage(cpu0);
  result.senderCpuMs = (cpu.user + cpu.system) / 1000;
  port.postMessage({ type: "done", result }, [result.latencies.buffer as ArrayBuffer]);
} catch (e) {
  port.postMessage({ type: "error", error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
