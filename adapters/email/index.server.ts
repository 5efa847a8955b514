// Build the sender a store's settings ask for.
import { createMandrillSender } from "./mandrill.server.ts";
import { createSendgridSender } from "./sendgrid.server.ts";
import { createSmtpSender } from "./smtp.server.ts";
import type { EmailSender } from "./types.ts";

export type EmailTransportConfig =
  | { provider: "smtp"; host: string; port: number; secure: boolean; user?: string; pass?: string; pool?: boolean; allowSelfSigned?: boolean }
  | { provider: "sendgrid"; apiKey: string; origin?: string }
  | { provider: "mandrill"; apiKey: string; origin?: string };

export function createEmailSender(config: EmailTransportConfig): EmailSender {
  switch (config.provider) {
    case "smtp":
      return createSmtpSender(config);
    case "sendgrid":
      return createSendgridSender({ apiKey: config.apiKey, origin: config.origin });
    case "mandrill":
      return createMandrillSender({ apiKey: config.apiKey, origin: config.origin });
  }
}

export * from "./types.ts";
