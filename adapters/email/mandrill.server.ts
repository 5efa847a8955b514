// Mandrill (Mailchimp Transactional) over HTTP: POST /api/1.0/messages/send with the key in the
// body; 200 answers an array of per-recipient results, errors answer HTTP 500 with
// {status:"error", name, message}. Plain fetch rather than @mailchimp/mailchimp_transactional (axios
// for one POST; fetch can point at a local simulator).
import { EmailSendError, isTransientHttpStatus, type EmailSender, type OutgoingEmail, type SendResult } from "./types.ts";

export const MANDRILL_ORIGIN = "https://mandrillapp.com";

export interface MandrillOptions {
  apiKey: string;
  origin?: string;
}

/** Mandrill error names that no retry will fix. */
const PERMANENT_ERRORS = new Set(["Invalid_Key", "ValidationError", "PaymentRequired", "Unknown_Subaccount", "Unknown_Template"]);

export function mandrillBody(apiKey: string, email: OutgoingEmail): Record<string, unknown> {
  return {
    key: apiKey,
    message: {
      html: email.html,
      text: email.text,
      subject: email.subject,
      from_email: email.from.address,
      ...(email.from.name ? { from_name: email.from.name } : {}),
      to: [{ email: email.to.address, ...(email.to.name ? { name: email.to.name } : {}), type: "to" }],
      headers: { ...(email.headers ?? {}), ...(email.replyTo ? { "Reply-To": email.replyTo } : {}) },
      // We track opens and clicks ourselves (signed links); the provider's rewriting would double them.
      track_opens: false,
      track_clicks: false,
      auto_text: false,
    },
  };
}

interface MandrillResult {
  email?: string;
  status?: string;
  reject_reason?: string | null;
  _id?: string;
}

export function createMandrillSender(opts: MandrillOptions): EmailSender {
  const url = `${(opts.origin ?? MANDRILL_ORIGIN).replace(/\/$/, "")}/api/1.0/messages/send`;
  return {
    provider: "mandrill",
    async send(email: OutgoingEmail): Promise<SendResult> {
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(mandrillBody(opts.apiKey, email)),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (e) {
        throw new EmailSendError(`Mandrill unreachable: ${(e as Error).message}`, "mandrill", false);
      }
      const body = (await res.json().catch(() => null)) as MandrillResult[] | { status?: string; name?: string; message?: string } | null;
      if (res.ok && Array.isArray(body)) {
        const r = body[0];
        if (!r) throw new EmailSendError("Mandrill answered no result", "mandrill", false, res.status);
        if (r.status === "rejected" || r.status === "invalid") {
          throw new EmailSendError(`Mandrill ${r.status}: ${r.reject_reason ?? "no reason given"}`, "mandrill", true, res.status);
        }
        return { provider: "mandrill", messageId: r._id ?? null };
      }
      const err = body && !Array.isArray(body) ? body : null;
      const permanent = err?.name ? PERMANENT_ERRORS.has(err.name) : !isTransientHttpStatus(res.status);
      throw new EmailSendError(`Mandrill ${res.status}: ${err?.name ?? ""} ${err?.message ?? res.statusText}`.trim(), "mandrill", permanent, res.status);
    },
  };
}
