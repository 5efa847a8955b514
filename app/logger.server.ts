// Structured logs (pino). Secrets and personal data never reach a log line: the paths below are
// censored wherever they appear, and tests check it.
import { pino, type Logger } from "pino";

export type { Logger };

export const REDACTED_PATHS = [
  "password",
  "*.password",
  "accessToken",
  "*.accessToken",
  "access_token",
  "*.access_token",
  "consumerSecret",
  "*.consumerSecret",
  "consumer_secret",
  "*.consumer_secret",
  "apiKey",
  "*.apiKey",
  "secret",
  "*.secret",
  "credentials",
  "*.credentials",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
  "email",
  "*.email",
  "phone",
  "*.phone",
  "taxId",
  "*.taxId",
  // Added with the privacy work: more secret names, CPF, and one level deeper for the common ones
  // (e.g. { payload: { customer: { email } } }, { provider: { smtp: { password } } }).
  "token",
  "*.token",
  "refreshToken",
  "*.refreshToken",
  "refresh_token",
  "*.refresh_token",
  "api_key",
  "*.api_key",
  "apiSecret",
  "*.apiSecret",
  "webhookSecret",
  "*.webhookSecret",
  "consumerKey",
  "*.consumerKey",
  "consumer_key",
  "*.consumer_key",
  "encryptionKey",
  "*.encryptionKey",
  "cpf",
  "*.cpf",
  "cnpj",
  "*.cnpj",
  "*.*.password",
  "*.*.apiKey",
  "*.*.accessToken",
  "*.*.secret",
  "*.*.email",
  "*.*.phone",
  "*.*.taxId",
  "*.*.cpf",
];

export function createLogger(level: string = "info", destination?: NodeJS.WritableStream): Logger {
  const opts = { level, redact: { paths: REDACTED_PATHS, censor: "[redacted]" }, base: undefined };
  return destination ? pino(opts, destination as pino.DestinationStream) : pino(opts);
}
