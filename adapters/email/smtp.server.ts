// SMTP through nodemailer: the default provider (any mail server, or a local one in tests).
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import { EmailSendError, type EmailSender, type OutgoingEmail, type SendResult } from "./types.ts";

export interface SmtpOptions {
  host: string;
  port: number;
  /** Implicit TLS (port 465). Otherwise STARTTLS is used when the server offers it. */
  secure: boolean;
  user?: string;
  pass?: string;
  /** Keep connections open between messages (flows send many). */
  pool?: boolean;
  maxConnections?: number;
  /** Only for local test servers with self-signed certificates. */
  allowSelfSigned?: boolean;
}

export function createSmtpSender(opts: SmtpOptions): EmailSender {
  const transportOptions: SMTPTransport.Options & { pool?: boolean; maxConnections?: number } = {
    host: opts.host,
    port: opts.port,
    secure: opts.secure,
    auth: opts.user ? { user: opts.user, pass: opts.pass ?? "" } : undefined,
    connectionTimeout: 15_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    tls: opts.allowSelfSigned ? { rejectUnauthorized: false } : undefined,
    pool: opts.pool ?? false,
    maxConnections: opts.maxConnections ?? 3,
  };
  const transport = nodemailer.createTransport(transportOptions);
  return {
    provider: "smtp",
    async send(email: OutgoingEmail): Promise<SendResult> {
      try {
        const info = await transport.sendMail({
          from: { name: email.from.name ?? "", address: email.from.address },
          to: email.to.name ? { name: email.to.name, address: email.to.address } : email.to.address,
          replyTo: email.replyTo,
          subject: email.subject,
          html: email.html,
          text: email.text,
          headers: email.headers,
        });
        if (info.rejected.length > 0) throw new EmailSendError(`SMTP server rejected ${info.rejected.join(", ")}`, "smtp", true);
        return { provider: "smtp", messageId: info.messageId ?? null };
      } catch (e) {
        if (e instanceof EmailSendError) throw e;
        const err = e as Error & { responseCode?: number; code?: string };
        // SMTP 5xx: the server will never accept it (bad recipient, auth refused); 4xx and
        // connection failures may pass later.
        const permanent = typeof err.responseCode === "number" ? err.responseCode >= 500 : err.code === "EAUTH";
        throw new EmailSendError(`SMTP: ${err.message}`, "smtp", permanent, err.responseCode);
      }
    },
    close() {
      transport.close();
    },
  };
}
