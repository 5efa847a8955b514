// Browse abandonment (issue 9's storefront events feeding a follow-up): a known customer viewed a
// product (web pixel event) and did not order; 2 h later one message, once per store-local day.
// A customer who ordered, who started a checkout (the checkout flow's), or an anonymous viewer gets none.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServices, type TestServices } from "../support/test-services.ts";
import { startSmtpTestServer, type SmtpTestServer } from "../support/smtp-test-server.ts";
import { createCheckout, createCustomer, createFlowStore, createOrder, enableFlow } from "../support/flows-fixtures.ts";
import { flowRuntime, scanAndSchedule } from "../../app/jobs/flows-scan.server.ts";
import { runFlowStep, type FlowRuntime } from "../../app/jobs/flows-step.server.ts";

let s: TestServices;
let smtp: SmtpTestServer;
let rt: FlowRuntime;
const H = 3_600_000;
// 13:00 UTC = 10:00 in São Paulo: outside the default quiet hours.
const T0 = new Date("2026-11-16T13:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

beforeAll(async () => {
  s = await startTestServices();
  smtp = await startSmtpTestServer();
  rt = flowRuntime(s, { schedule: async () => undefined });
});
afterAll(async () => {
  await smtp?.close();
  await s?.cleanup();
});

describe("browse abandonment", () => {
  it("follows up a viewer who did not buy, once a day, and nobody else", async () => {
    const keys = { current: s.secrets.encryptionKey, previous: s.secrets.encryptionKeyOld };
    const store = await createFlowStore(s.db, keys, smtp, { domain: "browse.example" });
    const flow = await enableFlow(s.db, store.id, "browse_abandonment");
    const bia = await createCustomer(s.db, store.id, { email: "bia@example.com", firstName: "Bia", locale: "pt-BR" });
    const caio = await createCustomer(s.db, store.id, { email: "caio@example.com", firstName: "Caio" });
    const duda = await createCustomer(s.db, store.id, { email: "duda@example.com", firstName: "Duda" });
    const view = (customerId: number | null, productId: string, when: Date) => ({
      storeId: store.id, customerId, type: "storefront.product_viewed", occurredAt: when, data: { id: `v-${customerId}-${productId}-${when.getTime()}`, productId },
    });
    await s.db.event.createMany({
      data: [view(bia.id, "10", T0), view(bia.id, "11", at(10 * 60_000)), view(caio.id, "10", T0), view(duda.id, "12", T0), view(null, "10", T0)],
    });
    await createOrder(s.db, store.id, caio.id, at(30 * 60_000)); // Caio bought
    await createCheckout(s.db, store.id, duda.id, at(20 * 60_000)); // Duda is the checkout flow's

    expect(await scanAndSchedule(s, store.id, at(H), rt)).toBe(0); // not 2 h yet
    expect(await scanAndSchedule(s, store.id, at(2.5 * H), rt)).toBe(1);
    expect(await scanAndSchedule(s, store.id, at(2.6 * H), rt)).toBe(0);
    const enrollment = await s.db.flowEnrollment.findFirstOrThrow({ where: { storeId: store.id, flowId: flow.id } });
    expect(enrollment).toMatchObject({ customerId: bia.id, triggerKey: "browse:2026-11-16" });
    expect(enrollment.context).toEqual({ productId: "11" }); // the latest product she viewed that day

    const sent = await runFlowStep(rt, { storeId: store.id, enrollmentId: enrollment.id, position: 0 }, at(2.5 * H));
    expect(sent.outcome).toBe("sent");
    await smtp.waitFor(1);
    const mail = smtp.mails.find((m) => m.to.includes("bia@example.com"))!;
    expect(mail.parsed.subject).toBe("Gostou do que viu, Bia?");
  });

  it("stops when the viewer orders before the message is due", async () => {
    const keys = { current: s.secrets.encryptionKey, previous: s.secrets.encryptionKeyOld };
    const store = await createFlowStore(s.db, keys, smtp, { domain: "browse2.example" });
    const flow = await enableFlow(s.db, store.id, "browse_abandonment");
    const eva = await createCustomer(s.db, store.id, { email: "eva@example.com", firstName: "Eva" });
    await s.db.event.create({ data: { storeId: store.id, customerId: eva.id, type: "storefront.product_viewed", occurredAt: T0, data: { id: "v-eva", productId: "10" } } });
    expect(await scanAndSchedule(s, store.id, at(2.5 * H), rt)).toBe(1);
    await createOrder(s.db, store.id, eva.id, at(2.6 * H));
    const enrollment = await s.db.flowEnrollment.findFirstOrThrow({ where: { storeId: store.id, flowId: flow.id } });
    const outcome = await runFlowStep(rt, { storeId: store.id, enrollmentId: enrollment.id, position: 0 }, at(2.7 * H));
    expect(outcome.outcome).not.toBe("sent");
    expect(smtp.mails.filter((m) => m.to.includes("eva@example.com"))).toHaveLength(0);
  });
});
