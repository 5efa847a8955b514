// A real SMTP server (the `smtp-server` package) on a free local port for tests and the bench:
// it accepts every message, keeps the raw RFC 5322 text and a parsed copy (mailparser).
// Optional: refuse recipients with a given SMTP code to exercise provider errors.
import { SMTPServer } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";
import type { AddressInfo } from "node:net";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpTestServer {
  host: string;
  port: number;
  mails: ReceivedMail[];
  /** Count of messages accepted (kept even when `keep` is false). */
  accepted(): number;
  /** Resolve when at least n mails arrived (or reject after timeoutMs). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Answer RCPT TO for these addresses with this SMTP code (e.g. 550, 451). */
  refuse(address: string, code: number): void;
  close(): Promise<void>;
}

export async function startSmtpTestServer(opts: { parse?: boolean } = {}): Promise<SmtpTestServer> {
  const mails: ReceivedMail[] = [];
  let count = 0;
  const refusals = new Map<string, number>();
  const waiters: { n: number; resolve: () => void }[] = [];
  const notify = () => {
    for (const w of [...waiters]) {
      if (count < w.n) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const code = refusals.get(address.address.toLowerCase());
      if (code) {
        const err = Object.assign(new Error(`Mailbox ${address.address} refused`), { responseCode: code });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        const to = session.envelope.rcptTo.map((r) => r.address);
        const done = () => {
          count++;
          notify();
          callback();
        };
        if (opts.parse === false) return done();
        simpleParser(raw)
          .then((parsed) => {
            mails.push({ from, to, raw, parsed });
            done();
          })
          .catch((e: Error) => callback(e));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: "127.0.0.1",
    port,
    mails,
    accepted: () => count,
    waitFor(n, timeoutMs = 15_000) {
      if (count >= n) return Promise.resolve(mails);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${count} of ${n} mails arrived in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve(mails);
          },
        });
      });
    },
    refuse(address, code) {
      refusals.set(address.toLowerCase(), code);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
