// The receive reference: the same work as /webhooks/shopify (raw body, HMAC check, JSON check,
// one WebhookReceipt INSERT … ON CONFLICT DO NOTHING, answer 200) on bare node:http and
// node-postgres, without Express, Remix or Prisma — and without the pg-boss enqueue, which the
// app batches (about one INSERT per seven deliveries) and which is left out here.
import http from "node:http";
import pg from "pg";
import { verifyShopifyWebhook } from "../../adapters/shopify/webhook-verify.ts";
import { DEMO_SHOP_DOMAIN, ensureDemoStore } from "../../app/demo/demo-store.server.ts";
import type { SendTarget } from "./sender.ts";
import type { BenchApp, BenchContext } from "./types.ts";

export interface BareReceiver {
  url: string;
  close(): Promise<void>;
}

export async function startBareReceiver(opts: { databaseUrl: string; secret: string; storeId: number; maxBytes: number }): Promise<BareReceiver> {
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10, application_name: "bare-receiver" });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= opts.maxBytes) chunks.push(c);
    });
    req.on("end", () => {
      void (async () => {
        if (size > opts.maxBytes) return res.writeHead(400).end("too large");
        const raw = Buffer.concat(chunks);
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
        const check = verifyShopifyWebhook(headers, raw, opts.secret);
        if (!check.ok) return res.writeHead(check.status).end(check.reason);
        const text = raw.toString("utf8");
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return res.writeHead(400).end("not JSON");
        }
        if (typeof body !== "object" || body === null || Array.isArray(body)) return res.writeHead(400).end("not an object");
        const id = (body as { id?: unknown }).id;
        await pool.query(
          `INSERT INTO "WebhookReceipt" ("storeId", platform, topic, "dedupeKey", "resourceId", "triggeredAt", body)
           VALUES ($1, 'shopify'::"Platform", $2, $3, $4, $5, $6)
           ON CONFLICT ("storeId", "dedupeKey") DO NOTHING RETURNING id`,
          [opts.storeId, check.topic, check.webhookId, id === undefined || id === null ? null : String(id), check.triggeredAt ? new Date(check.triggeredAt) : null, text],
        );
        res.writeHead(200).end();
      })().catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(e));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await pool.end();
    },
  };
}

/**
 * A reference run against the bare receiver: a fresh bench app (for its database and secrets) with
 * the demo store, the receiver in front of it, and `fn` given the webhook target to send to.
 * Everything is closed afterwards, also when `fn` throws.
 */
export async function withBareReceiver<T>(ctx: BenchContext, appName: string, fn: (bare: { app: BenchApp; storeId: number; target: SendTarget }) => Promise<T>): Promise<T> {
  const app = await ctx.startApp(appName, { http: false, workers: false });
  try {
    const store = await ensureDemoStore(app.services);
    const secret = app.services.secrets.shopifyWebhookSecret;
    const receiver = await startBareReceiver({ databaseUrl: app.databaseUrl, secret, storeId: store.id, maxBytes: app.services.config.WEBHOOK_MAX_BYTES });
    try {
      return await fn({ app, storeId: store.id, target: { endpoint: `${receiver.url}/webhooks/shopify`, shop: DEMO_SHOP_DOMAIN, secret } });
    } finally {
      await receiver.close();
    }
  } finally {
    await app.close();
  }
}
