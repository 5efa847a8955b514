// Every provider behind the one EmailSender interface, against a real SMTP server and local
// simulators of SendGrid and Mandrill in their wire formats: what is sent (both parts, the
// unsubscribe headers) and how 4xx/5xx answers map to permanent vs retryable failures.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmailSender, EmailSendError, type OutgoingEmail } from "../../adapters/email/index.server.ts";
import { startSmtpTestServer, type SmtpTestServer } from "../support/smtp-test-server.ts";
import { startSendgridSimulator, type SendgridSimulator } from "../support/sendgrid-simulator.ts";
import { startMandrillSimulator, type MandrillSimulator } from "../support/mandrill-simulator.ts";

let smtp: SmtpTestServer;
let sendgrid: SendgridSimulator;
let mandrill: MandrillSimulator;

const email = (to = "cliente@example.com"): OutgoingEmail => ({
  from: { address: "loja@jabuticaba.example", name: "Empório Jabuticaba" },
  to: { address: to, name: "Cliente Teste" },
  subject: "Seu carrinho está esperando — ação",
  html: "<p>Olá <b>Cliente</b></p>",
  text: "Olá Cliente",
  headers: { "List-Unsubscribe": "<https://app.example/unsubscribe/abc.def>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
});

async function rejection(p: Promise<unknown>): Promise<EmailSendError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(EmailSendError);
  return e as EmailSendError;
}

beforeAll(async () => {
  smtp = await startSmtpTestServer();
  sendgrid = await startSendgridSimulator("SG.test-key");
  mandrill = await startMandrillSimulator("md-test-key");
});
afterAll(async () => {
  await Promise.all([smtp?.close(), sendgrid?.close(), mandrill?.close()]);
});

describe("SMTP (nodemailer)", () => {
  it("delivers both parts and the unsubscribe headers", async () => {
    const sender = createEmailSender({ provider: "smtp", host: smtp.host, port: smtp.port, secure: false });
    const r = await sender.send(email());
    sender.close?.();
    expect(r.provider).toBe("smtp");
    expect(r.messageId).toMatch(/^<.+@jabuticaba\.example>$/);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.parsed.subject).toBe("Seu carrinho está esperando — ação");
    expect(mail!.parsed.text?.trim()).toBe("Olá Cliente");
    expect(String(mail!.parsed.html)).toContain("<b>Cliente</b>");
    expect(mail!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
  });

  it("maps SMTP 5xx to permanent and 4xx / connection refused to retryable", async () => {
    smtp.refuse("bounce@example.com", 550);
    smtp.refuse("later@example.com", 452);
    const sender = createEmailSender({ provider: "smtp", host: smtp.host, port: smtp.port, secure: false });
    expect((await rejection(sender.send(email("bounce@example.com")))).permanent).toBe(true);
    expect((await rejection(sender.send(email("later@example.com")))).permanent).toBe(false);
    sender.close?.();
    const down = createEmailSender({ provider: "smtp", host: "127.0.0.1", port: 1, secure: false });
    expect((await rejection(down.send(email()))).permanent).toBe(false);
  });
});

describe("SendGrid", () => {
  it("sends the v3 body (text/plain first, headers) and returns X-Message-Id", async () => {
    const sender = createEmailSender({ provider: "sendgrid", apiKey: "SG.test-key", origin: sendgrid.url });
    const r = await sender.send(email());
    expect(r.messageId).toMatch(/\w{10,}/);
    const { body } = sendgrid.received.at(-1)!;
    expect(body).toMatchObject({
      personalizations: [{ to: [{ email: "cliente@example.com", name: "Cliente Teste" }] }],
      from: { email: "loja@jabuticaba.example", name: "Empório Jabuticaba" },
      content: [
        { type: "text/plain", value: "Olá Cliente" },
        { type: "text/html", value: "<p>Olá <b>Cliente</b></p>" },
      ],
      headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    });
  });

  it("401 and 400 are permanent with the provider's reason; 429 and 5xx are retryable", async () => {
    const bad = createEmailSender({ provider: "sendgrid", apiKey: "SG.wrong", origin: sendgrid.url });
    const e401 = await rejection(bad.send(email()));
    expect([e401.permanent, e401.status]).toEqual([true, 401]);
    const sender = createEmailSender({ provider: "sendgrid", apiKey: "SG.test-key", origin: sendgrid.url });
    const e400 = await rejection(sender.send(email("not-an-address")));
    expect([e400.permanent, e400.status]).toEqual([true, 400]);
    expect(e400.message).toContain("personalizations.0.to.0.email");
    for (const status of [429, 500, 503]) {
      sendgrid.failNext(status);
      const e = await rejection(sender.send(email()));
      expect([e.permanent, e.status]).toEqual([false, status]);
    }
  });
});

describe("Mandrill", () => {
  it("sends messages/send with the key in the body and returns the _id", async () => {
    const sender = createEmailSender({ provider: "mandrill", apiKey: "md-test-key", origin: mandrill.url });
    const r = await sender.send(email());
    expect(r.messageId).toMatch(/^[0-9a-f]{32}$/);
    expect(mandrill.received.at(-1)).toMatchObject({
      key: "md-test-key",
      message: { subject: "Seu carrinho está esperando — ação", from_email: "loja@jabuticaba.example", to: [{ email: "cliente@example.com", type: "to" }], headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } },
    });
  });

  it("Invalid_Key and rejected recipients are permanent; other 5xx errors are retryable", async () => {
    const bad = createEmailSender({ provider: "mandrill", apiKey: "wrong", origin: mandrill.url });
    const eKey = await rejection(bad.send(email()));
    expect(eKey.permanent).toBe(true);
    expect(eKey.message).toContain("Invalid_Key");
    mandrill.reject.set("hard@example.com", "hard-bounce");
    const sender = createEmailSender({ provider: "mandrill", apiKey: "md-test-key", origin: mandrill.url });
    const eRejected = await rejection(sender.send(email("hard@example.com")));
    expect(eRejected.permanent).toBe(true);
    expect(eRejected.message).toContain("hard-bounce");
    mandrill.failNext(500, "GeneralError");
    expect((await rejection(sender.send(email()))).permanent).toBe(false);
  });
});
