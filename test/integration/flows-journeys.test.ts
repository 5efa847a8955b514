// Follow-up journeys over simulated time, with a real SMTP server receiving the mail: abandoned
// checkout (sent, stopped by the order), unpaid boleto (sent, waits for the due date, stopped by
// payment), consent for marketing vs transactional, quiet hours, frequency cap, duplicate jobs,
// a crash mid-send, a disabled flow, provider refusals, the signed webhook channel, delayed
// pg-boss jobs, and attribution sums. The clock is injected: nothing waits for real hours.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServices, type TestServices } from "../support/test-services.ts";
import { startSmtpTestServer, type SmtpTestServer } from "../support/smtp-test-server.ts";
import { createCheckout, createCustomer, createFlowStore, createOrder, createPendingPayment, enableFlow } from "../support/flows-fixtures.ts";
import { flowRuntime, scanAndSchedule, stepJobId } from "../../app/jobs/flows-scan.server.ts";
import { runFlowStep, webhookSecretFor, type FlowRuntime } from "../../app/jobs/flows-step.server.ts";
import { setFlowEnabled } from "../../app/core/flows/manage.server.ts";
import { recoveredRevenue } from "../../app/core/flows/attribution.server.ts";
import { verifyLinkToken } from "../../app/core/email/tokens.ts";
import type { StepJob } from "../../app/core/flows/step.server.ts";

let s: TestServices;
let smtp: SmtpTestServer;
const scheduled: { job: StepJob; runAt: Date }[] = [];
const discounts: { code: string; percent: number }[] = [];
let rt: FlowRuntime;

const H = 3_600_000;
const D = 24 * H;
// 13:00 UTC = 10:00 in São Paulo: outside the default quiet hours (21:00–08:00).
const T0 = new Date("2026-11-16T13:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const keys = () => ({ current: s.secrets.encryptionKey, previous: s.secrets.encryptionKeyOld });

beforeAll(async () => {
  s = await startTestServices();
  smtp = await startSmtpTestServer();
  rt = flowRuntime(s, {
    schedule: async (job, runAt) => void scheduled.push({ job, runAt }),
    createDiscount: async (_store, req) => {
      discounts.push({ code: req.code, percent: req.percent });
      return req.code;
    },
  });
});
afterAll(async () => {
  await smtp?.close();
  await s?.cleanup();
});

const takeScheduled = (enrollmentId: number) => scheduled.filter((x) => x.job.enrollmentId === enrollmentId);
const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address));
/** Header lines unfolded (RFC 5322 folding) and text with Intl's no-break spaces as plain spaces. */
const unfolded = (raw: string) => raw.replace(/\r?\n[ \t]+/g, " ");
const plain = (text: string | undefined) => (text ?? "").replace(/\u00a0/g, " ");

describe("abandoned checkout", () => {
  it("sends the 1 h reminder with the recovery link, then stops when the customer orders", async () => {
    const store = await createFlowStore(s.db, keys(), smtp);
    const flow = await enableFlow(s.db, store.id, "abandoned_checkout");
    const ana = await createCustomer(s.db, store.id, { email: "ana@example.com", firstName: "Ana", locale: "pt-BR" });
    const checkout = await createCheckout(s.db, store.id, ana.id, T0);

    // 30 minutes in: not abandoned yet.
    expect(await scanAndSchedule(s, store.id, at(30 * 60_000), rt)).toBe(0);
    // 61 minutes in: enrolled once; a second scan adds nothing.
    expect(await scanAndSchedule(s, store.id, at(61 * 60_000), rt)).toBe(1);
    expect(await scanAndSchedule(s, store.id, at(62 * 60_000), rt)).toBe(0);
    const enrollment = await s.db.flowEnrollment.findFirstOrThrow({ where: { storeId: store.id, flowId: flow.id } });
    expect(enrollment.triggerKey).toBe(`checkout:${checkout.id}`);
    expect(takeScheduled(enrollment.id)[0]!.job.position).toBe(0);

    const first = await runFlowStep(rt, { storeId: store.id, enrollmentId: enrollment.id, position: 0 }, at(61 * 60_000));
    expect(first.outcome).toBe("sent");
    const [mail] = await smtp.waitFor(1).then(() => mailsTo("ana@example.com"));
    expect(mail!.parsed.subject).toBe("Ana, você esqueceu algo no carrinho");
    expect(mail!.parsed.from?.value[0]).toMatchObject({ address: "loja@jabuticaba.example", name: "Empório Jabuticaba" });
    // The raw headers a mailbox provider reads for one-click unsubscribe.
    expect(unfolded(mail!.raw)).toMatch(/^List-Unsubscribe: <http:\/\/localhost:3000\/unsubscribe\/[\w-]+\.[\w-]+>/m);
    expect(unfolded(mail!.raw)).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    // Both parts; item titles HTML-escaped in the HTML part, prices in BRL.
    const html = String(mail!.parsed.html);
    const text = plain(mail!.parsed.text);
    expect(html).toContain("Café especial &lt;torra média&gt;");
    expect(html).not.toContain("<torra média>");
    expect(text).toContain("Café especial <torra média> × 2: R$ 159,80");
    expect(text).toContain("Total: R$ 189,90");
    expect(html).toContain('src="https://cdn.example/cafe.jpg"');
    // The button is a tracked link whose signed token carries the recovery URL.
    const tracked = text.match(/Finalizar minha compra: (http:\/\/localhost:3000\/t\/c\/(\S+))/);
    expect(tracked).not.toBeNull();
    expect(verifyLinkToken(rt.linkKey, tracked![2]!)).toMatchObject({ k: "c", s: store.id, u: checkout.recoveryUrl });
    expect(html).toMatch(/\/t\/o\/[\w-]+\.[\w-]+\.gif/);

    // Next step scheduled 24 h after the abandonment.
    const next = takeScheduled(enrollment.id).at(-1)!;
    expect(next.job.position).toBe(1);
    expect(next.runAt.toISOString()).toBe(at(24 * H).toISOString());

    // The customer orders in the meantime → the 24 h step stops the enrollment, nothing is sent.
    await createOrder(s.db, store.id, ana.id, at(5 * H));
    const second = await runFlowStep(rt, next.job, at(24 * H));
    expect(second).toEqual({ outcome: "stopped", reason: "ordered" });
    const after = await s.db.flowEnrollment.findUniqueOrThrow({ where: { storeId_id: { storeId: store.id, id: enrollment.id } } });
    expect(after.status).toBe("stopped");
    expect(mailsTo("ana@example.com")).toHaveLength(1);
    expect(await s.db.message.count({ where: { storeId: store.id, customerId: ana.id } })).toBe(1);
  });

  it("renders English for an English-speaking customer and adds the discount code on the 72 h step", async () => {
    const store = await createFlowStore(s.db, keys(), smtp);
    await enableFlow(s.db, store.id, "abandoned_checkout");
    const bob = await createCustomer(s.db, store.id, { email: "bob@example.com", firstName: "Bob", locale: "en-US" });
    await createCheckout(s.db, store.id, bob.id, T0);
    await scanAndSchedule(s, store.id, at(2 * H), rt);
    const e = await s.db.flowEnrollment.findFirstOrThrow({ where: { storeId: store.id, customerId: bob.id } });
    for (const [position, when] of [[0, 2 * H], [1, 24 * H], [2, 72 * H]] as const) {
      expect((await runFlowStep(rt, { storeId: store.id, enrollmentId: e.id, position }, at(when))).outcome).toBe("sent");
    }
    const mails = mailsTo("bob@example.com");
    expect(mails.map((m) => m.parsed.subject)).toEqual(["Bob, you left something in your cart", "Your cart is still waiting", "A gift to finish your order"]);
    const code = discounts.at(-1)!;
    expect(code.percent).toBe(10);
    expect(mails[2]!.parsed.text).toContain(`Your discount code: ${code.code}`);
    expect(plain(mails[2]!.parsed.text)).toContain("Total: R$189.90");
    expect((await s.db.flowEnrollment.findUniqueOrThrow({ where: { storeId_id: { storeId: store.id, id: e.id } } })).status).toBe("completed");
  });

  it("respects marketing consent: no consent → not enrolled; consent withdrawn → stopped before sending", async () => {
    const store = await createFlowStore(s.db, keys(), smtp);
    await enableFlow(s.db, store.id, "abandoned_checkout");
    const noConsent = await createCustomer(s.db, store.id, { email: "semconsent@example.com", firstName: "Caio", consent: false });
    const withdraws = await createCustomer(s.db, store.id, { email: "desiste@example.com", firstName: "Duda" });
    await createCheckout(s.db, store.id, noConsent.id, T0);
    await createCheckout(s.db, store.id, withdraws.id, T0);
    expect(await scanAndSchedule(s, store.id, at(2 * H), rt)).toBe(1);
    const e = await s.db.flowEnrollment.findFirstOrThrow({ where: { storeId: store.id } });
    expect(e.customerId).toBe(withdraws.id);
    await s.db.customer.update({ where: { storeId_id: { storeId: store.id, id: withdraws.id } }, data: { acceptsEmailMarketing: false } });
    expect(await runFlowStep(rt, { storeId: store.id, enrollmentId: e.id, position: 0 }, at(2 * H))).toEqual({ outcome: "stopped", reason: "no_consent" });
    expect(mailsTo("desiste@example.com")).toHaveLength(0);
  });
});

describe("unpaid boleto (transactional)", () => {
  it("reminds without marketing consent, waits for the due date, and stops on payment", async () => {
    const store = await createFlowStore(s.db, keys(), smtp);
    await enableFlow(s.db, store.id, "unpaid_boleto");
    const dani = await createCustomer(s.db, store.id, { email: "dani@example.com", firstName: "Dani", consent: false });
    const { payment } = await createPendingPayment(s.db, store.id, dani.id, T0, "boleto", at(3 * D));
    expect(await scanAndSchedule(s, store.id, at(H), rt)).toBe(1);
    const e = await s.db.flowEnrollment.findFirstOrThrow({ where: { storeId: store.id } });
    expect(takeScheduled(e.id)[0]!.runAt.toISOString()).toBe(at(D).toISOString());

    expect((await runFlowStep(rt, { storeId: store.id, enrollmentId: e.id, position: 0 }, at(D))).outcome).toBe("sent");
    const [mail] = mailsTo("dani@example.com");
    expect(mail!.parsed.subject).toMatch(/^Seu boleto do pedido #\d+ está disponível$/);
    expect(mail!.parsed.text).toContain("Linha digitável do boleto: 34191.79001 01043.510047 91020.150008 7 91230000025000");
    expect(plain(mail!.parsed.text)).toContain("O boleto de R$ 250,00 vence em 19 de novembro de 2026.");
    expect(mail!.parsed.text).toMatch(/Abrir o boleto: http:\/\/localhost:3000\/t\/c\//);
    expect(mail!.parsed.text).toContain("19 de novembro de 2026");

    // The "due date" step, run a day early (at trigger + 2 d), waits for the due date.
    const step1 = { storeId: store.id, enrollmentId: e.id, position: 1 };
    expect(await runFlowStep(rt, step1, at(2 * D))).toEqual({ outcome: "postponed", reason: "not_due" });
    expect(takeScheduled(e.id).at(-1)!.runAt.toISOString()).toBe(at(3 * D).toISOString());

    // Paid before the due date → stopped, no second mail.
    await s.db.payment.update({ where: { storeId_id: { storeId: store.id, id: payment.id } }, data: { status: "paid", paidAt: at(2 * D + H) } });
    expect(await runFlowStep(rt, step1, at(3 * D))).toEqual({ outcome: "stopped", reason: "paid" });
    expect(mailsTo("dani@example.com")).toHaveLength(1);

    // The reminder gets the credit for the payment inside the window.
    const revenue = await recoveredRevenue(s.db, store.id, { from: at(0), to: at(10 * D) });
    expect(revenue.totalMinor).toBe(25000n);
    expect(revenue.byFlow).toHaveLength(1);
  });
});

describe("sending rules", () => {
  it("holds a message during quiet hours (store time zone) until they end", async () => {
    const store = await createFlowStore(s.db, keys(), smtp);
    await enableFlow(s.db, store.id, "abandoned_checkout");
    const c = await createCustomer(s.db, store.id, { email: "noite@example.com", firstName: "Eva" });
    // Abandoned at 22:00 in São Paulo (01:00 UTC); the 1 h step falls at 23:00 local.
    const night = new Date("2026-11-17T01:00:00Z");
    await createCheckout(s.db, store.id, c.id, night);
    await scanAndSchedule(s, store.id, new Date(night.getTime() + 61 * 60_000), rt);
    const e = await s.db.flowEnrollment.findFirstOrThrow({ where: { storeId: store.id } });
    const r = await runFlowStep(rt, { storeId: store.id, enrollmentId: e.id, position: 0 }, new Date(night.getTime() + 61 * 60_000));
    expect(r).toEqual({ outcome: "postponed", reason: "quiet_hours" });
    // 08:00 in São Paulo = 11:00 UTC.
    expect(takeScheduled(e.id).at(-1)!.runAt.toISOString()).toBe("2026-11-17T11:00:00.000Z");
    expect(mailsTo("noite@example.com")).toHaveLength(0);
    expect((await runFlowStep(rt, { storeId: store.id, enrollmentId: e.id, position: 0 }, new Date("2026-11-17T11:00:00Z"))).outcome).toBe("sent");
  });

  it("skips a marketing step over the per-customer frequency cap (recorded as suppressed)", async () => {
    const store = await createFlowStore(s.db, keys(), smtp, { settings: { flows: { frequencyCap: { max: 1, hours: 24 } } } });
    const welcome = await enableFlow(s.db, store.id, "welcome");
    await enableFlow(s.db, store.id, "abandoned_checkout");
    const c = await createCustomer(s.db, store.id, { email: "muito@example.com", firstName: "Fabi" });
    await s.db.message.create({ data: { storeId: store.id, customerId: c.id, flowId: welcome.id, stepId: welcome.steps[0]!.id, idempotencyKey: "earlier", to: c.email!, status: "sent", sentAt: at(30 * 60_000) } });
    await createCheckout(s.db, store.id, c.id, T0);
    await scanAndSchedule(s, store.id, at(2 * H), rt);
    const e = await s.db.flowEnrollment.findFirstOrThrow({ where: { storeId: store.id, flow: { template: "abandoned_checkout" } } });
    expect(await runFlowStep(rt, { storeId: store.id, enrollmentId: e.id, position: 0 }, at(2 * H))).toEqual({ outcome: "skipped", reason: "frequency_cap" });
    const m = await s.db.message.findFirstOrThrow({ where: { storeId: store.id, enrollmentId: e.id } });
    expect(m.status).toBe("suppressed");
    expect(mailsTo("muito@example.com")).toHaveLength(0);
    // The enrollment moved on to the next step.
    expect(takeScheduled(e.id).at(-1)!.job.position).toBe(1);
  });

  it("sends once when the same step job runs twice at the same time", async () => {
    const store = await createFlowStore(s.db, keys(), smtp);
    await enableFlow(s.db, store.id, "abandoned_checkout");
    const c = await createCustomer(s.db, store.id, { email: "duplo@example.com", firstName: "Gui" });
    await createCheckout(s.db, store.id, c.id, T0);
    await scanAndSchedule(s, store.id, at(2 * H), rt);
    const e = await s.db.flowEnrollment.findFirstOrThrow({ where: { storeId: store.id } });
    const job = { storeId: store.id, enrollmentId: e.id, position: 0 };
    const results = await Promise.all([runFlowStep(rt, job, at(2 * H)), runFlowStep(rt, job, at(2 * H)), runFlowStep(rt, job, at(2 * H))]);
    expect(results.filter((r) => r.outcome === "sent")).toHaveLength(1);
    // And again later (a retried job): still one.
    await runFlowStep(rt, job, at(3 * H));
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo("duplo@example.com")).toHaveLength(1);
    expect(await s.db.message.count({ where: { storeId: store.id, customerId: c.id } })).toBe(1);
  });

  it("after a crash mid-send never sends twice; after a crash before sending sends once", async () => {
    const store = await createFlowStore(s.db, keys(), smtp);
    const flow = await enableFlow(s.db, store.id, "abandoned_checkout");
    const crashedSending = await createCustomer(s.db, store.id, { email: "crash1@example.com", firstName: "Hugo" });
    const crashedQueued = await createCustomer(s.db, store.id, { email: "crash2@example.com", firstName: "Iara" });
    await createCheckout(s.db, store.id, crashedSending.id, T0);
    await createCheckout(s.db, store.id, crashedQueued.id, T0);
    await scanAndSchedule(s, store.id, at(2 * H), rt);
    const enrollments = await s.db.flowEnrollment.findMany({ where: { storeId: store.id } });
    const step0 = flow.steps[0]!;
    for (const e of enrollments) {
      // What a worker killed at that point leaves behind: the outbox row, claimed or not.
      const status = e.customerId === crashedSending.id ? "sending" : "queued";
      const email = e.customerId === crashedSending.id ? crashedSending.email! : crashedQueued.email!;
      await s.db.message.create({ data: { storeId: store.id, customerId: e.customerId, flowId: flow.id, stepId: step0.id, enrollmentId: e.id, idempotencyKey: `flow:${flow.id}:step:${step0.id}:customer:${e.customerId}:${e.triggerKey}`, to: email, status } });
    }
    const byCustomer = new Map(enrollments.map((e) => [e.customerId, e]));
    // The worker died 15 minutes before the retry (the job's expiry) runs.
    await s.db.$executeRaw`UPDATE "Message" SET "updatedAt" = ${new Date(at(2 * H).getTime() - 15 * 60_000)} WHERE "storeId" = ${store.id}`;
    const r1 = await runFlowStep(rt, { storeId: store.id, enrollmentId: byCustomer.get(crashedSending.id)!.id, position: 0 }, at(2 * H));
    expect(r1).toEqual({ outcome: "failed", reason: "outcome_unknown" });
    const r2 = await runFlowStep(rt, { storeId: store.id, enrollmentId: byCustomer.get(crashedQueued.id)!.id, position: 0 }, at(2 * H));
    expect(r2.outcome).toBe("sent");
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo("crash1@example.com")).toHaveLength(0);
    expect(mailsTo("crash2@example.com")).toHaveLength(1);
  });

  it("disabling a flow cancels its pending steps", async () => {
    const store = await createFlowStore(s.db, keys(), smtp);
    const flow = await enableFlow(s.db, store.id, "abandoned_checkout");
    const c = await createCustomer(s.db, store.id, { email: "desligada@example.com", firstName: "Joana" });
    await createCheckout(s.db, store.id, c.id, T0);
    await scanAndSchedule(s, store.id, at(2 * H), rt);
    const e = await s.db.flowEnrollment.findFirstOrThrow({ where: { storeId: store.id } });
    expect(await setFlowEnabled(s.db, store.id, flow.id, false)).toEqual({ cancelled: 1 });
    expect((await s.db.flowEnrollment.findUniqueOrThrow({ where: { storeId_id: { storeId: store.id, id: e.id } } })).status).toBe("cancelled");
    expect((await runFlowStep(rt, { storeId: store.id, enrollmentId: e.id, position: 0 }, at(2 * H))).outcome).toBe("done");
    // Turned on again: the cancelled enrollment stays cancelled (no surprise sends of old carts).
    await setFlowEnabled(s.db, store.id, flow.id, true);
    expect((await runFlowStep(rt, { storeId: store.id, enrollmentId: e.id, position: 0 }, at(2 * H))).outcome).toBe("done");
    expect(mailsTo("desligada@example.com")).toHaveLength(0);
  });

  it("a permanent SMTP refusal (550) fails the message and moves on; a temporary one (451) is retried", async () => {
    const store = await createFlowStore(s.db, keys(), smtp);
    await enableFlow(s.db, store.id, "abandoned_checkout");
    const gone = await createCustomer(s.db, store.id, { email: "naoexiste@example.com", firstName: "Kleber" });
    const busy = await createCustomer(s.db, store.id, { email: "ocupado@example.com", firstName: "Lia" });
    smtp.refuse("naoexiste@example.com", 550);
    smtp.refuse("ocupado@example.com", 451);
    await createCheckout(s.db, store.id, gone.id, T0);
    await createCheckout(s.db, store.id, busy.id, T0);
    await scanAndSchedule(s, store.id, at(2 * H), rt);
    const es = await s.db.flowEnrollment.findMany({ where: { storeId: store.id } });
    const eGone = es.find((e) => e.customerId === gone.id)!;
    const eBusy = es.find((e) => e.customerId === busy.id)!;
    const r = await runFlowStep(rt, { storeId: store.id, enrollmentId: eGone.id, position: 0 }, at(2 * H));
    expect(r.outcome).toBe("failed");
    expect((await s.db.message.findFirstOrThrow({ where: { storeId: store.id, customerId: gone.id } })).status).toBe("failed");
    await expect(runFlowStep(rt, { storeId: store.id, enrollmentId: eBusy.id, position: 0 }, at(2 * H))).rejects.toThrow(/451|refused/);
    const queued = await s.db.message.findFirstOrThrow({ where: { storeId: store.id, customerId: busy.id } });
    expect(queued.status).toBe("queued");
    expect(queued.error).toMatch(/451|refused/);
  });
});

describe("webhook channel", () => {
  it("posts the step to the store's webhook with an HMAC-SHA256 signature", async () => {
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const store = await createFlowStore(s.db, keys(), smtp, { settings: { flows: { webhookUrl: url } } });
      const flow = await enableFlow(s.db, store.id, "unpaid_pix");
      await s.db.flowStep.update({ where: { storeId_id: { storeId: store.id, id: flow.steps[0]!.id } }, data: { channel: "webhook" } });
      const c = await createCustomer(s.db, store.id, { email: "pix@example.com", firstName: "Marta" });
      await createPendingPayment(s.db, store.id, c.id, T0, "pix", null);
      await scanAndSchedule(s, store.id, at(20 * 60_000), rt);
      const e = await s.db.flowEnrollment.findFirstOrThrow({ where: { storeId: store.id } });
      expect((await runFlowStep(rt, { storeId: store.id, enrollmentId: e.id, position: 0 }, at(20 * 60_000))).outcome).toBe("sent");
      expect(received).toHaveLength(1);
      const { headers, body } = received[0]!;
      const secret = webhookSecretFor(rt.linkKey, store.id);
      const expected = `sha256=${createHmac("sha256", secret).update(`${headers["x-caderninho-timestamp"]}.${body}`).digest("hex")}`;
      expect(headers["x-caderninho-signature"]).toBe(expected);
      const payload = JSON.parse(body);
      expect(payload).toMatchObject({ type: "flow.step", customer: { firstName: "Marta", email: "pix@example.com" }, flow: { template: "unpaid_pix" } });
      expect(payload.message.text).toContain("00020126580014br.gov.bcb.pix");
      expect(mailsTo("pix@example.com")).toHaveLength(0);
    } finally {
      server.close();
    }
  });
});

describe("scheduling on pg-boss", () => {
  it("queues the first step as a delayed job that a second scheduling does not duplicate", async () => {
    const store = await createFlowStore(s.db, keys(), smtp);
    await enableFlow(s.db, store.id, "unpaid_boleto");
    const c = await createCustomer(s.db, store.id, { email: "fila@example.com", firstName: "Nina" });
    const now = new Date();
    await createPendingPayment(s.db, store.id, c.id, new Date(now.getTime() - H), "boleto", new Date(now.getTime() + 3 * D));
    expect(await scanAndSchedule(s, store.id, now)).toBe(1);
    const e = await s.db.flowEnrollment.findFirstOrThrow({ where: { storeId: store.id } });
    const runAt = new Date(e.triggerAt!.getTime() + D);
    const id = stepJobId({ storeId: store.id, enrollmentId: e.id, position: 0 }, runAt);
    await flowRuntime(s).schedule({ storeId: store.id, enrollmentId: e.id, position: 0 }, runAt);
    const rows = await s.db.$queryRaw<{ id: string; start_after: Date; data: StepJob }[]>`SELECT id::text, start_after, data FROM pgboss.job WHERE name = 'flows.step' AND data->>'enrollmentId' = ${String(e.id)}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(id);
    expect(Math.abs(new Date(rows[0]!.start_after).getTime() - runAt.getTime())).toBeLessThan(1000);
  });
});

describe("attribution", () => {
  it("credits orders within the window after a message (or its click) to the latest message, once", async () => {
    const store = await createFlowStore(s.db, keys(), smtp);
    const a = await enableFlow(s.db, store.id, "abandoned_checkout");
    const w = await enableFlow(s.db, store.id, "win_back");
    const c1 = await createCustomer(s.db, store.id, { email: "o1@example.com", firstName: "Otto" });
    const c2 = await createCustomer(s.db, store.id, { email: "o2@example.com", firstName: "Paula" });
    const c3 = await createCustomer(s.db, store.id, { email: "o3@example.com", firstName: "Quim" });
    const msg = (customerId: number, flowId: number, stepId: number, sentAt: Date, key: string, clickedAt?: Date) =>
      s.db.message.create({ data: { storeId: store.id, customerId, flowId, stepId, idempotencyKey: key, to: "x@example.com", status: "sent", sentAt, clickedAt } });
    await msg(c1.id, a.id, a.steps[0]!.id, at(0), "m1");
    await msg(c1.id, a.id, a.steps[1]!.id, at(D), "m2"); // latest before the order: gets the credit
    await createOrder(s.db, store.id, c1.id, at(2 * D), 10000n);
    await msg(c2.id, w.id, w.steps[0]!.id, at(0), "m3", at(6 * D)); // clicked on day 6: window runs to day 13
    await createOrder(s.db, store.id, c2.id, at(12 * D), 5000n);
    await msg(c3.id, w.id, w.steps[0]!.id, at(0), "m4");
    await createOrder(s.db, store.id, c3.id, at(8 * D), 7000n); // day 8: outside 7 days, no click
    await createOrder(s.db, store.id, c3.id, at(-D), 9000n); // before the message
    const r = await recoveredRevenue(s.db, store.id, { from: at(-10 * D), to: at(30 * D) });
    expect(r.totalMinor).toBe(15000n);
    expect(r.orders).toBe(2);
    const byFlow = new Map(r.byFlow.map((f) => [f.flowId, f]));
    expect(byFlow.get(a.id)!.bySteps).toEqual([{ stepId: a.steps[1]!.id, totalMinor: 10000n, orders: 1 }]);
    expect(byFlow.get(w.id)!.totalMinor).toBe(5000n);
    // A window of 14 days takes in the day-8 order too.
    await s.db.store.update({ where: { id: store.id }, data: { settings: { flows: { attributionDays: 14 } } } });
    expect((await recoveredRevenue(s.db, store.id, { from: at(-10 * D), to: at(30 * D) })).totalMinor).toBe(22000n);
  });
});
