// The whole app for a test file: real services on a fresh database, job workers, and the real
// HTTP server (Remix through Vite, as `npm start` runs it) on a free port.
import { startHttp, type RunningHttp } from "../../app/server/http.server.ts";
import { startWorkers } from "../../app/jobs/worker.server.ts";
import { startTestServices, type TestServices } from "./test-services.ts";

export interface TestApp {
  services: TestServices;
  http: RunningHttp;
  url: string;
  /** Wait until the worker has handled every stored webhook receipt. */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTestApp(env: Record<string, string> = {}, opts: { workers?: boolean } = {}): Promise<TestApp> {
  const services = await startTestServices(env);
  if (opts.workers ?? true) await startWorkers(services);
  const http = await startHttp(services, { port: 0, host: "127.0.0.1", production: false });
  return {
    services,
    http,
    url: http.url,
    async drain(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const pending = await services.db.webhookReceipt.count({ where: { status: "received" } });
        if (pending === 0) return;
        if (Date.now() > deadline) throw new Error(`${pending} webhook receipts still unprocessed after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await http.close();
      await services.cleanup();
    },
  };
}
