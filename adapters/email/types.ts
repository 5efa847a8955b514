// One interface for every email provider (SMTP, SendGrid, Mandrill). Flows, the settings page's
// test-send and the benchmark only know `EmailSender`; which provider a store uses is data.

export interface EmailAddress {
  address: string;
  name?: string;
}

export interface OutgoingEmail {
  from: EmailAddress;
  to: EmailAddress;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers (List-Unsubscribe, List-Unsubscribe-Post, X-Caderninho-Message…). */
  headers?: Record<string, string>;
}

export interface SendResult {
  provider: EmailProvider;
  /** The provider's id of the accepted message (SMTP Message-ID, SendGrid X-Message-Id, Mandrill _id). */
  messageId: string | null;
}

export type EmailProvider = "smtp" | "sendgrid" | "mandrill";

export interface EmailSender {
  readonly provider: EmailProvider;
  send(email: OutgoingEmail): Promise<SendResult>;
  close?(): void;
}

/**
 * A provider refused or failed a message. `permanent` failures (bad key, invalid recipient, 4xx
 * from an HTTP API, SMTP 5xx) are not retried; transient ones (network, 429, HTTP 5xx, SMTP 4xx) are.
 */
export class EmailSendError extends Error {
  constructor(
    message: string,
    readonly provider: EmailProvider,
    readonly permanent: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = "EmailSendError";
  }
}

/** The HTTP status classes every HTTP provider shares: 429 and 5xx are worth a retry. */
export function isTransientHttpStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}
