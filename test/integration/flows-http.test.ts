// The flow surfaces over real HTTP: signed unsubscribe (bad signature → 400 and nothing changes;
// confirm page in the customer's language; one-click POST records consent, time and an event),
// tracked clicks and the open pixel, the admin pages with tenancy (another store's flow → 404),
// validation errors with their path, and the settings page's test send to a real SMTP server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.ts";
import { startSmtpTestServer, type SmtpTestServer } from "../support/smtp-test-server.ts";
import { createCheckout, createCustomer, createFlowStore, enableFlow } from "../support/flows-fixtures.ts";
import { linkKey, signLinkToken } from "../../app/core/email/tokens.ts";

let app: TestApp;
let smtp: SmtpTestServer;
let cookie: string;
let storeA: { id: number };
let storeB: { id: number };
const keys = () => ({ current: app.services.secrets.encryptionKey, previous: app.services.secrets.encryptionKeyOld });
const key = () => linkKey(app.services.secrets.sessionSecret);

beforeAll(async () => {
  app = await startTestApp({}, { workers: false });
  smtp = await startSmtpTestServer();
  storeA = await createFlowStore(app.services.db, keys(), smtp, { domain: "loja-a.myshopify.com" });
  storeB = await createFlowStore(app.services.db, keys(), smtp, { domain: "loja-b.myshopify.com" });
  const res = await fetch(`${app.url}/login`, { method: "POST", body: new URLSearchParams({ password: "test-password-123" }), redirect: "manual" });
  cookie = res.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(async () => {
  await smtp?.close();
  await app?.close();
});

const get = (path: string) => fetch(`${app.url}${path}`, { headers: { cookie }, redirect: "manual" });
const post = (path: string, form: Record<string, string>) => fetch(`${app.url}${path}`, { method: "POST", headers: { cookie }, body: new URLSearchParams(form), redirect: "manual" });

describe("unsubscribe", () => {
  it("refuses a bad signature with 400 and changes nothing", async () => {
    const c = await createCustomer(app.services.db, storeA.id, { email: "ana@example.com", firstName: "Ana", locale: "pt-BR" });
    const good = signLinkToken(key(), { k: "u", s: storeA.id, c: c.id });
    const forged = signLinkToken(Buffer.from("another key"), { k: "u", s: storeA.id, c: c.id });
    const tampered = `${Buffer.from(JSON.stringify({ k: "u", s: storeA.id, c: c.id + 1 })).toString("base64url")}.${good.split(".")[1]}`;
    for (const token of [forged, tampered, "garbage", `${good}x`]) {
      expect((await fetch(`${app.url}/unsubscribe/${token}`)).status).toBe(400);
      expect((await fetch(`${app.url}/unsubscribe/${token}`, { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }) })).status).toBe(400);
    }
    const after = await app.services.db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId: storeA.id, id: c.id } } });
    expect(after.acceptsEmailMarketing).toBe(true);
    expect(await app.services.db.event.count({ where: { storeId: storeA.id, type: "unsubscribed" } })).toBe(0);
  });

  it("shows the confirm page in the customer's language and records a one-click POST", async () => {
    const pt = await createCustomer(app.services.db, storeA.id, { email: "bia@example.com", firstName: "Bia", locale: "pt-BR" });
    const en = await createCustomer(app.services.db, storeA.id, { email: "carl@example.com", firstName: "Carl", locale: "en" });
    const ptPage = await (await fetch(`${app.url}/unsubscribe/${signLinkToken(key(), { k: "u", s: storeA.id, c: pt.id })}`)).text();
    expect(ptPage).toContain("Parar de receber e-mails de marketing de Empório Jabuticaba em bia@example.com?");
    const enToken = signLinkToken(key(), { k: "u", s: storeA.id, c: en.id, m: 42 });
    const enPage = await fetch(`${app.url}/unsubscribe/${enToken}`);
    expect(enPage.status).toBe(200);
    expect(await enPage.text()).toContain("Stop marketing emails from Empório Jabuticaba to carl@example.com?");
    // RFC 8058: the mailbox provider POSTs "List-Unsubscribe=One-Click" to the header's URL.
    const res = await fetch(`${app.url}/unsubscribe/${enToken}`, { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("carl@example.com will no longer receive marketing emails from Empório Jabuticaba.");
    const after = await app.services.db.customer.findUniqueOrThrow({ where: { storeId_id: { storeId: storeA.id, id: en.id } } });
    expect(after.acceptsEmailMarketing).toBe(false);
    expect(after.consentUpdatedAt).not.toBeNull();
    const events = await app.services.db.event.findMany({ where: { storeId: storeA.id, customerId: en.id, type: "unsubscribed" } });
    expect(events.map((e) => e.data)).toEqual([{ via: "one-click", messageId: 42, channel: "email" }]);
    // A second POST changes nothing more.
    await fetch(`${app.url}/unsubscribe/${enToken}`, { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }) });
    expect(await app.services.db.event.count({ where: { storeId: storeA.id, customerId: en.id, type: "unsubscribed" } })).toBe(1);
  });
});

describe("tracking", () => {
  it("redirects a signed click and records it; records the open pixel; refuses forged tokens", async () => {
    const c = await createCustomer(app.services.db, storeA.id, { email: "dora@example.com", firstName: "Dora" });
    const m = await app.services.db.message.create({ data: { storeId: storeA.id, customerId: c.id, idempotencyKey: "track-1", to: c.email!, status: "sent", sentAt: new Date() } });
    const target = "https://jabuticaba.example/checkouts/recover/abc?x=1";
    const click = await fetch(`${app.url}/t/c/${signLinkToken(key(), { k: "c", s: storeA.id, m: m.id, u: target })}`, { redirect: "manual" });
    expect(click.status).toBe(302);
    expect(click.headers.get("location")).toBe(target);
    const forged = await fetch(`${app.url}/t/c/${signLinkToken(Buffer.from("x"), { k: "c", s: storeA.id, m: m.id, u: "https://evil.example" })}`, { redirect: "manual" });
    expect(forged.status).toBe(400);
    const pixel = await fetch(`${app.url}/t/o/${signLinkToken(key(), { k: "o", s: storeA.id, m: m.id })}.gif`);
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get("content-type")).toBe("image/gif");
    expect((await pixel.arrayBuffer()).byteLength).toBeGreaterThan(20);
    const after = await app.services.db.message.findUniqueOrThrow({ where: { storeId_id: { storeId: storeA.id, id: m.id } } });
    expect(after.clickedAt).not.toBeNull();
    expect(after.openedAt).not.toBeNull();
  });
});

describe("admin pages", () => {
  it("lists the store's flows and shows one; another store's flow id is a 404 for reading and writing", async () => {
    const mine = await enableFlow(app.services.db, storeA.id, "abandoned_checkout");
    const theirs = await enableFlow(app.services.db, storeB.id, "abandoned_checkout");
    const list = await get("/app/flows");
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain("Carrinho abandonado");
    expect(html).toContain("Boleto não pago");
    expect((await get(`/app/flows/${mine.id}`)).status).toBe(200);
    expect((await get(`/app/flows/${theirs.id}`)).status).toBe(404);
    expect((await post(`/app/flows/${theirs.id}`, { intent: "save", payload: JSON.stringify({ name: "x", trigger: { type: "checkout_abandoned" }, settings: {}, steps: [] }) })).status).toBe(404);
    expect((await post("/app/flows?index", { flowId: String(theirs.id), enabled: "false" })).status).toBe(404);
    const b = await app.services.db.flow.findUniqueOrThrow({ where: { storeId_id: { storeId: storeB.id, id: theirs.id } } });
    expect(b.enabled).toBe(true);
    expect(b.name).toBe("Carrinho abandonado");
  });

  it("saves an edited flow and answers a bad one with 400 and the field's path", async () => {
    const flow = await app.services.db.flow.findFirstOrThrow({ where: { storeId: storeA.id, template: "welcome" }, include: { steps: true } });
    const step = flow.steps[0]!;
    const good = { name: "Boas-vindas VIP", trigger: flow.trigger, settings: flow.settings, steps: [{ delayMinutes: 30, channel: "email", condition: null, content: step.content, options: {} }] };
    const ok = await post(`/app/flows/${flow.id}`, { intent: "save", payload: JSON.stringify(good) });
    expect(ok.status).toBe(200);
    const saved = await app.services.db.flow.findUniqueOrThrow({ where: { storeId_id: { storeId: storeA.id, id: flow.id } }, include: { steps: true } });
    expect(saved.name).toBe("Boas-vindas VIP");
    expect(saved.steps.map((s) => [s.id, s.delayMinutes])).toEqual([[step.id, 30]]);
    const bad = { ...good, steps: [{ ...good.steps[0], delayMinutes: -5, condition: "not json", content: { ...(step.content as object), en: { subject: "", body: "x" } } }] };
    const res = await post(`/app/flows/${flow.id}`, { intent: "save", payload: JSON.stringify(bad) });
    expect(res.status).toBe(400);
    const page = await res.text();
    for (const path of ["steps.0.delayMinutes", "steps.0.condition", "steps.0.content.en.subject"]) expect(page).toContain(path);
    const unchanged = await app.services.db.flow.findUniqueOrThrow({ where: { storeId_id: { storeId: storeA.id, id: flow.id } }, include: { steps: true } });
    expect(unchanged.steps[0]!.delayMinutes).toBe(30);
  });

  it("email settings: validates, keeps the secret encrypted, and test-sends through the saved SMTP server", async () => {
    const bad = await post("/app/settings/email", { intent: "save", provider: "smtp", fromName: "", fromAddress: "not-an-email", host: "127.0.0.1", port: "99999", secure: "false" });
    expect(bad.status).toBe(400);
    const saved = await post("/app/settings/email", { intent: "save", provider: "smtp", fromName: "Loja A", fromAddress: "a@loja.example", host: smtp.host, port: String(smtp.port), secure: "false", user: "", secret: "s3nha-secreta" });
    expect(saved.status).toBe(200);
    const store = await app.services.db.store.findUniqueOrThrow({ where: { id: storeA.id } });
    const stored = JSON.stringify(store.settings);
    expect(stored).not.toContain("s3nha-secreta");
    expect((store.settings as { email: { secret: string } }).email.secret).toMatch(/^v1:/);
    const before = smtp.accepted();
    const badTo = await post("/app/settings/email", { intent: "test", to: "nope" });
    expect(badTo.status).toBe(400);
    const res = await post("/app/settings/email", { intent: "test", to: "dono@loja.example", locale: "pt-BR" });
    expect(res.status).toBe(200);
    await smtp.waitFor(before + 1);
    const mail = smtp.mails.find((m) => m.to.includes("dono@loja.example"))!;
    expect(mail.parsed.subject).toMatch(/^\[Teste\] Maria, você esqueceu algo no carrinho$/);
    expect(mail.parsed.from?.value[0]).toMatchObject({ address: "a@loja.example", name: "Loja A" });
  });
});

describe("abandoned checkout through the running app", () => {
  it("the worker's scan and step jobs deliver the first reminder", async () => {
    const c = await createCustomer(app.services.db, storeA.id, { email: "real@example.com", firstName: "Rui" });
    // Abandoned 2 hours ago: the first (1 h) step is already due.
    await createCheckout(app.services.db, storeA.id, c.id, new Date(Date.now() - 2 * 3_600_000));
    const { startWorkers } = await import("../../app/jobs/worker.server.ts");
    await startWorkers(app.services);
    await app.services.boss.send("flows.scan", { storeId: storeA.id }, { singletonKey: String(storeA.id) });
    const mails = await smtp.waitFor(smtp.accepted() + 1, 30_000);
    const mail = mails.find((m) => m.to.includes("real@example.com"))!;
    expect(mail.parsed.subject).toBe("Rui, você esqueceu algo no carrinho");
  });
});
