// SendGrid v3 Mail Send over HTTP (POST /v3/mail/send, Bearer key, 202 + X-Message-Id).
// Plain fetch rather than @sendgrid/mail: the SDK adds axios for one JSON POST, and fetch lets the
// origin point at a local simulator in tests.
import { EmailSendError, isTransientHttpStatus, type EmailSender, type OutgoingEmail, type SendResult } from "./types.ts";

export const SENDGRID_ORIGIN = "https://api.sendgrid.com";

export interface SendgridOptions {
  apiKey: string;
  origin?: string;
}

/** The request body SendGrid expects for one message (text/plain must come before text/html). */
export function sendgridBody(email: OutgoingEmail): Record<string, unknown> {
  return {
    personalizations: [{ to: [email.to.name ? { email: email.to.address, name: email.to.name } : { email: email.to.address }] }],
    from: email.from.name ? { email: email.from.address, name: email.from.name } : { email: email.from.address },
    ...(email.replyTo ? { reply_to: { email: email.replyTo } } : {}),
    subject: email.subject,
    content: [
      { type: "text/plain", value: email.text },
      { type: "text/html", value: email.html },
    ],
    ...(email.headers && Object.keys(email.headers).length ? { headers: email.headers } : {}),
  };
}

export function createSendgridSender(opts: SendgridOptions): EmailSender {
  const url = `${(opts.origin ?? SENDGRID_ORIGIN).replace(/\/$/, "")}/v3/mail/send`;
  return {
    provider: "sendgrid",
    async send(email: OutgoingEmail): Promise<SendResult> {
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { authorization: `Bearer ${opts.apiKey}`, "content-type": "application/json" },
          body: JSON.stringify(sendgridBody(email)),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (e) {
        throw new EmailSendError(`SendGrid unreachable: ${(e as Error).message}`, "sendgrid", false);
      }
      if (res.status === 202 || res.status === 200) return { provider: "sendgrid", messageId: res.headers.get("x-message-id") };
      const body = (await res.json().catch(() => null)) as { errors?: { message?: string; field?: string | null }[] } | null;
      const reason = body?.errors?.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join("; ") || res.statusText;
      throw new EmailSendError(`SendGrid ${res.status}: ${reason}`, "sendgrid", !isTransientHttpStatus(res.status), res.status);
    },
  };
}
