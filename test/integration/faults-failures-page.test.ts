// The failed-deliveries page over real HTTP: a poison delivery dead-lettered after its retries and
// an unreadable one are listed for their store only, with reason and state in plain words; Retry
// queues a failure exactly once (and it then lands), Dismiss hides one, bad input is a 400 with the
// field named, and another store's failure id is a 404 that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimulatedDelivery } from "../../adapters/shopify/simulator/index.ts";
import { postShopifyDelivery } from "../../app/demo/demo-store.server.ts";
import { QUEUES, type WebhookJob } from "../../app/jobs/queues.ts";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { curePoison, poisonCustomer } from "../support/fault-db.ts";
import { waitFor } from "../support/fault-worker.ts";

let app: TestApp;
let cookie: string;
const stores: Record<"a" | "b", { id: number; domain: string }> = { a: { id: 0, domain: "falhas-a.myshopify.com" }, b: { id: 0, domain: "falhas-b.myshopify.com" } };
const DATA = "?_data=routes%2Fapp.sync.failures";

const customer = (id: number, webhookId: string): SimulatedDelivery => ({
  topic: "customers/update",
  webhookId,
  triggeredAt: "2026-06-01T12:00:00-03:00",
  body: { id, email: `c${id}@example.com.br`, first_name: "Rita", last_name: "Lee", created_at: "2026-01-01T10:00:00-03:00", updated_at: "2026-06-01T12:00:00-03:00", tags: "", addresses: [] },
});

beforeAll(async () => {
  app = await startTestApp();
  const { db, boss } = app.services;
  for (const key of ["a", "b"] as const) stores[key].id = (await db.store.create({ data: { platform: "shopify", domain: stores[key].domain, name: key, currency: "BRL" } })).id;
  await boss.updateQueue(QUEUES.webhookProcess, { retryLimit: 1, retryDelay: 1, retryBackoff: false });
  await poisonCustomer(db, "700001");
  const secret = app.services.secrets.shopifyWebhookSecret;
  const post = (shop: string, d: SimulatedDelivery) => postShopifyDelivery(`${app.url}/webhooks/shopify`, shop, secret, d);
  for (const key of ["a", "b"] as const) expect((await post(stores[key].domain, customer(700001, `poison-${key}`))).status).toBe(200);
  // Valid JSON the normaliser cannot read: failed at once, never retried.
  expect((await post(stores.a.domain, { topic: "orders/create", webhookId: "unreadable-a", triggeredAt: "2026-06-01T12:00:00-03:00", body: { id: 5, line_items: "not a list" } })).status).toBe(200);
  expect((await post(stores.a.domain, customer(700002, "healthy-a"))).status).toBe(200);
  await waitFor("both poison jobs dead-lettered", async () => (await boss.findJobs(QUEUES.webhookDead)).length === 2, 60_000, 200);
  const login = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = login.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(async () => app?.close());

interface Listed {
  total: number;
  failures: { id: string; topic: string; attempts: number; reason: string; state: string; detail: string }[];
}
const list = async (): Promise<Listed> => {
  const res = await fetch(`${app.url}/app/sync/failures${DATA}`, { headers: { Cookie: cookie } });
  expect(res.status).toBe(200);
  return (await res.json()) as Listed;
};
const act = (intent: string, id: string) => fetch(`${app.url}/app/sync/failures${DATA}`, { method: "POST", headers: { Cookie: cookie }, body: new URLSearchParams({ intent, id }) });
const receiptOf = (storeId: number, dedupeKey: string) => app.services.db.webhookReceipt.findUniqueOrThrow({ where: { storeId_dedupeKey: { storeId, dedupeKey } } });

describe("failed deliveries page", () => {
  it("lists this store's failures only, in plain words, and the sync page links to it", async () => {
    const { failures, total } = await list();
    expect(total).toBe(2);
    const poison = await receiptOf(stores.a.id, "poison-a");
    const unreadable = await receiptOf(stores.a.id, "unreadable-a");
    expect(failures.map((f) => [f.id, f.topic, f.attempts, f.reason, f.state])).toEqual([
      [unreadable.id.toString(), "orders/create", 1, "unreadable", "gaveUp"],
      [poison.id.toString(), "customers/update", 2, "database", "deadLettered"],
    ]);
    expect(failures[1]!.detail).toContain("poisoned row");

    const html = await (await fetch(`${app.url}/app/sync/failures`, { headers: { Cookie: cookie, "Accept-Language": "pt-BR" } })).text();
    expect(html).toContain("Entregas com falha");
    expect(html).toContain("Desistimos após as tentativas");
    expect(html).toContain("Tentar de novo");
    const sync = await (await fetch(`${app.url}/app/sync`, { headers: { Cookie: cookie } })).text();
    expect(sync).toContain("/app/sync/failures");
  });

  it("refuses bad input with the field named, and another store's failure with 404 changing nothing", async () => {
    const bad = await act("retry", "12; DROP TABLE");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^id: /);
    expect((await act("explode", "1")).status).toBe(400);

    const foreign = await receiptOf(stores.b.id, "poison-b");
    for (const intent of ["retry", "dismiss"]) expect((await act(intent, foreign.id.toString())).status).toBe(404);
    expect(await receiptOf(stores.b.id, "poison-b")).toMatchObject({ status: "failed", dismissedAt: null, attempts: 2 });
    expect((await app.services.boss.findJobs<WebhookJob>(QUEUES.webhookDead, { data: { storeId: stores.b.id } })).length).toBe(1);
    expect((await act("retry", "999999999")).status).toBe(404);
  });

  it("retries a failure once, after which it lands; dismisses another; then shows the empty state", async () => {
    const { db, boss } = app.services;
    await curePoison(db);
    const poison = await receiptOf(stores.a.id, "poison-a");
    const [first, second] = await Promise.all([act("retry", poison.id.toString()), act("retry", poison.id.toString())]);
    expect([first.status, second.status].sort()).toEqual([200, 404]);
    await waitFor("the retried delivery to be processed", async () => (await receiptOf(stores.a.id, "poison-a")).status === "processed", 30_000, 100);
    expect(await db.customer.count({ where: { storeId: stores.a.id, platformId: "700001" } })).toBe(1);
    expect(await boss.findJobs(QUEUES.webhookDead, { data: { storeId: stores.a.id } })).toEqual([]);
    expect((await act("retry", poison.id.toString())).status).toBe(404);

    const unreadable = await receiptOf(stores.a.id, "unreadable-a");
    const dismissed = await act("dismiss", unreadable.id.toString());
    expect(dismissed.status).toBe(200);
    expect(await dismissed.json()).toEqual({ ok: true, intent: "dismiss", error: null });
    expect((await receiptOf(stores.a.id, "unreadable-a")).status).toBe("failed");
    expect(await list()).toEqual({ total: 0, failures: [], timezone: expect.any(String) });
    const html = await (await fetch(`${app.url}/app/sync/failures`, { headers: { Cookie: cookie, "Accept-Language": "en" } })).text();
    expect(html).toMatch(/No failed deliveries|Nenhuma entrega com falha/);
  });
});
