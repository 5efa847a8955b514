// Mailchimp Marketing API through the official SDK (@mailchimp/mailchimp_marketing). The package's
// default export is one module-wide client whose key is global; two stores syncing at once would
// overwrite each other's key, so each call site gets its own ApiClient instance. Every call is
// retried on 429 (Mailchimp allows 10 simultaneous connections per key) and 5xx/network errors,
// with exponential backoff that honours Retry-After.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

interface SdkClient {
  basePath: string;
  timeout: number;
  setConfig(config: { apiKey: string; server: string }): void;
  ping: { get(): Promise<{ health_status: string }> };
  lists: {
    getAllLists(opts: { count?: number; fields?: string[] }): Promise<{ lists: { id: string; name: string; stats: { member_count: number } }[]; total_items: number }>;
    setListMember(listId: string, hash: string, body: MemberBody): Promise<{ id: string; status: string }>;
    updateListMemberTags(listId: string, hash: string, body: { tags: TagChange[] }): Promise<unknown>;
    updateListMember(listId: string, hash: string, body: { status: "unsubscribed" }): Promise<unknown>;
    deleteListMemberPermanent(listId: string, hash: string): Promise<unknown>;
  };
  batches: {
    start(body: { operations: BatchOperation[] }): Promise<BatchStatus>;
    status(id: string): Promise<BatchStatus>;
  };
}
// The SDK is CommonJS and its types do not export the client constructor.
const ApiClient = require("@mailchimp/mailchimp_marketing/src/ApiClient.js") as new () => SdkClient;

export interface MemberBody {
  email_address: string;
  status_if_new: "subscribed" | "unsubscribed";
  status: "subscribed" | "unsubscribed";
  merge_fields: Record<string, string>;
}
export interface TagChange {
  name: string;
  status: "active" | "inactive";
}
export interface BatchOperation {
  method: "PUT" | "POST" | "PATCH";
  path: string;
  body: string;
  operation_id: string;
}
export interface BatchStatus {
  id: string;
  status: "pending" | "preprocessing" | "started" | "finalizing" | "finished";
  total_operations: number;
  finished_operations: number;
  errored_operations: number;
  response_body_url: string;
}

/** Mailchimp's member id: md5 of the lowercased email. */
export function subscriberHash(email: string): string {
  return createHash("md5").update(email.trim().toLowerCase()).digest("hex");
}

const KEY = /^[0-9a-f]{32}-([a-z]{2,4}\d{1,3})$/;
/** The data centre ("us21") an API key belongs to, or null for something that is not a key. */
export function dataCentreOf(apiKey: string): string | null {
  return KEY.exec(apiKey.trim())?.[1] ?? null;
}

export class MailchimpError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly detail: string,
  ) {
    super(message);
  }
}

interface SdkError {
  status?: number;
  response?: { headers?: Record<string, string>; body?: { title?: string; detail?: string; errors?: { field: string; message: string }[] } };
  message?: string;
}

export interface MailchimpOptions {
  apiKey: string;
  /** API base with "server" where the data centre goes; default Mailchimp's own. */
  apiBase?: string;
  retries?: number;
  /** First retry delay; doubled each time (tests make it small). */
  retryBaseMs?: number;
}

export interface Mailchimp {
  ping(): Promise<void>;
  lists(): Promise<{ id: string; name: string; members: number }[]>;
  setMember(listId: string, hash: string, body: MemberBody): Promise<void>;
  updateTags(listId: string, hash: string, tags: TagChange[]): Promise<void>;
  /** Unsubscribe a member by hash (a customer's previous address); a member Mailchimp no longer has is fine. */
  unsubscribe(listId: string, hash: string): Promise<void>;
  /** Erase a member for good (the customer's data was erased here); one already gone is fine. */
  deletePermanently(listId: string, hash: string): Promise<void>;
  startBatch(operations: BatchOperation[]): Promise<BatchStatus>;
  batchStatus(id: string): Promise<BatchStatus>;
  /** Download a finished batch's results archive (response_body_url). */
  download(url: string): Promise<Buffer>;
}

const ignoreGone = (e: unknown) => {
  if (!(e instanceof MailchimpError && e.status === 404)) throw e;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createMailchimp(opts: MailchimpOptions): Mailchimp {
  const server = dataCentreOf(opts.apiKey);
  if (!server) throw new MailchimpError("not a Mailchimp API key (expected 32 hex characters, a dash and the data centre, e.g. …-us21)", null, "invalidKey");
  const client = new ApiClient();
  if (opts.apiBase) client.basePath = opts.apiBase.replace(/\/+$/, "");
  client.timeout = 60_000;
  client.setConfig({ apiKey: opts.apiKey.trim(), server });
  const retries = opts.retries ?? 5;
  const base = opts.retryBaseMs ?? 1000;

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const err = e as SdkError;
        const status = typeof err.status === "number" ? err.status : null;
        const transient = status === null || status === 429 || status >= 500;
        if (transient && attempt < retries) {
          const retryAfter = Number(err.response?.headers?.["retry-after"]);
          await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : base * 2 ** attempt);
          continue;
        }
        const body = err.response?.body;
        const detail = [body?.title, body?.detail, ...(body?.errors ?? []).map((x) => `${x.field}: ${x.message}`)].filter(Boolean).join(" — ") || err.message || "request failed";
        throw new MailchimpError(`Mailchimp ${what} failed (${status ?? "network"}): ${detail}`, status, detail);
      }
    }
  }

  return {
    async ping() {
      await call("ping", () => client.ping.get());
    },
    async lists() {
      const r = await call("lists", () => client.lists.getAllLists({ count: 1000, fields: ["lists.id", "lists.name", "lists.stats.member_count", "total_items"] }));
      return r.lists.map((l) => ({ id: l.id, name: l.name, members: l.stats?.member_count ?? 0 }));
    },
    async setMember(listId, hash, body) {
      await call("member upsert", () => client.lists.setListMember(listId, hash, body));
    },
    async updateTags(listId, hash, tags) {
      await call("tags update", () => client.lists.updateListMemberTags(listId, hash, { tags }));
    },
    async unsubscribe(listId, hash) {
      await call("unsubscribe", () => client.lists.updateListMember(listId, hash, { status: "unsubscribed" })).catch(ignoreGone);
    },
    async deletePermanently(listId, hash) {
      await call("permanent delete", () => client.lists.deleteListMemberPermanent(listId, hash)).catch(ignoreGone);
    },
    startBatch: (operations) => call("batch start", () => client.batches.start({ operations })),
    batchStatus: (id) => call("batch status", () => client.batches.status(id)),
    async download(url) {
      return call("batch results download", async () => {
        const res = await fetch(url);
        if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
        return Buffer.from(await res.arrayBuffer());
      });
    },
  };
}
