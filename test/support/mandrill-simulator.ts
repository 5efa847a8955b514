// A local stand-in for Mandrill (Mailchimp Transactional) messages/send, in its wire format:
// POST /api/1.0/messages/send with {key, message:{html, text, subject, from_email, from_name,
// to:[{email, name, type}], headers}}; 200 with [{email, status, reject_reason, _id}]; errors as
// HTTP 500 {status:"error", code, name, message} (Invalid_Key, ValidationError…); recipients
// listed in `reject` come back "rejected".
import http from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

export interface MandrillSimulator {
  url: string;
  received: Record<string, unknown>[];
  reject: Map<string, string>;
  failNext(status: number, name: string, n?: number): void;
  close(): Promise<void>;
}

export async function startMandrillSimulator(apiKey: string): Promise<MandrillSimulator> {
  const received: Record<string, unknown>[] = [];
  const reject = new Map<string, string>();
  const scripted: { status: number; name: string }[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const error = (name: string, message: string, code = -1, status = 500) => json(status, { status: "error", code, name, message });
      if (req.method !== "POST" || !/^\/api\/1\.0\/messages\/send(\.json)?$/.test(req.url ?? "")) return error("Unknown_Method", "not found", -1, 404);
      let body: { key?: string; message?: { to?: { email?: string }[]; from_email?: string; subject?: string } };
      try {
        body = JSON.parse(raw);
      } catch {
        return error("ValidationError", "You must specify a key value");
      }
      if (body.key !== apiKey) return error("Invalid_Key", "Invalid API key", -1);
      const next = scripted.shift();
      if (next) return error(next.name, `${next.name} (scripted)`, -1, next.status);
      const to = body.message?.to;
      if (!Array.isArray(to) || to.length === 0 || !body.message?.from_email) return error("ValidationError", "Validation error: {\"message\":{\"to\":\"Please enter an array\"}}", -2);
      received.push(body as Record<string, unknown>);
      json(
        200,
        to.map((r) => {
          const reason = reject.get(String(r.email).toLowerCase());
          return { email: r.email, status: reason ? "rejected" : "sent", reject_reason: reason ?? null, queued_reason: null, _id: randomBytes(16).toString("hex") };
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    reject,
    failNext(status, name, n = 1) {
      for (let i = 0; i < n; i++) scripted.push({ status, name });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
