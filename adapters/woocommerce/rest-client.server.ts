// The WooCommerce REST v3 client caderninho uses: @woocommerce/woocommerce-rest-api (OAuth 1.0a
// query signing over http, Basic auth over https), wrapped with
// - bounded concurrency per store (a shop on shared hosting falls over under parallel requests),
// - retries with exponential backoff and full jitter on 429, 5xx, timeouts and dropped
//   connections (Retry-After is honoured), and
// - errors that say what went wrong: WooAuthError for rejected/revoked keys (never retried),
//   WooApiError with WordPress's `code`/`message` for the rest.
import WooModule from "@woocommerce/woocommerce-rest-api";
import type { WooErrorBody } from "./payloads";

// The package is CommonJS with `exports.default = class`: under native ESM the default import is
// the exports object and the class is on `.default` (woocommerce-rest-api-js-lib#66).
type WooCtor = typeof WooModule;
const WooCommerceRestApi: WooCtor = (WooModule as unknown as { default?: WooCtor }).default ?? WooModule;

export interface WooCredentials {
  /** Site URL, e.g. https://loja.example.com.br (the REST API lives under /wp-json/wc/v3). */
  url: string;
  consumerKey: string;
  consumerSecret: string;
}

export class WooApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "WooApiError";
  }
}

/** 401/403: the keys are wrong, revoked, or lack read_write. Retrying cannot help. */
export class WooAuthError extends WooApiError {
  constructor(message: string, status: number, code: string | null) {
    super(message, status, code, false);
    this.name = "WooAuthError";
  }
}

export interface WooPage<T> {
  items: T[];
  /** X-WP-Total / X-WP-TotalPages (null when the server left them out). */
  total: number | null;
  totalPages: number | null;
}

export interface WooClientOptions extends WooCredentials {
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Retries after the first attempt (default 5). */
  retries?: number;
  /** First backoff step in ms (default 500), doubled per attempt up to maxDelayMs (default 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  onRetry?: (info: { endpoint: string; attempt: number; delayMs: number; reason: string }) => void;
}

export interface WooClient {
  readonly url: string;
  get<T>(endpoint: string, params?: Record<string, string | number>): Promise<T>;
  page<T>(endpoint: string, params: Record<string, string | number>): Promise<WooPage<T>>;
  post<T>(endpoint: string, data: unknown): Promise<T>;
  put<T>(endpoint: string, data: unknown): Promise<T>;
  delete<T>(endpoint: string, params?: Record<string, string | number>): Promise<T>;
  readonly stats: { requests: number; retries: number };
}

interface AxiosLikeError {
  code?: string;
  message: string;
  response?: { status: number; data: unknown; headers: Record<string, string | undefined> };
}

const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNABORTED", "ETIMEDOUT", "ECONNREFUSED", "EPIPE", "EAI_AGAIN", "ERR_NETWORK", "ERR_BAD_RESPONSE", "ENOTFOUND"]);

function toError(endpoint: string, e: unknown): WooApiError {
  const err = e as AxiosLikeError;
  const res = err.response;
  if (!res) {
    const code = err.code ?? null;
    return new WooApiError(`WooCommerce ${endpoint}: ${err.message}`, null, code, code === null || TRANSIENT_CODES.has(code));
  }
  if (res.status >= 300 && res.status < 400) {
    // Typically http → https or a www redirect; the REST API does not survive redirects (POST bodies, auth).
    return new WooApiError(`WooCommerce ${endpoint}: the store redirects (HTTP ${res.status}) to ${res.headers.location ?? "another address"}: use that store address`, res.status, "redirect", false);
  }
  const body = (typeof res.data === "object" && res.data !== null ? res.data : {}) as Partial<WooErrorBody>;
  const detail = body.message ? `${body.message}${body.code ? ` (${body.code})` : ""}` : `HTTP ${res.status}`;
  const message = `WooCommerce ${endpoint}: ${detail}`;
  if (res.status === 401 || res.status === 403) return new WooAuthError(message, res.status, body.code ?? null);
  return new WooApiError(message, res.status, body.code ?? null, res.status === 429 || res.status >= 500);
}

function retryAfterMs(e: unknown): number | null {
  const h = (e as AxiosLikeError).response?.headers?.["retry-after"];
  const s = h === undefined ? NaN : Number(h);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : null;
}

/** A counting semaphore: at most `limit` tasks run at once, the rest wait in order. */
function limiter(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createWooClient(opts: WooClientOptions): WooClient {
  const api = new WooCommerceRestApi({
    url: opts.url,
    consumerKey: opts.consumerKey,
    consumerSecret: opts.consumerSecret,
    version: "wc/v3",
    timeout: opts.timeoutMs ?? 30_000,
    // Our own error handling reads the body of 4xx/5xx answers.
    axiosConfig: { maxRedirects: 0 },
  });
  const run = limiter(opts.concurrency ?? 4);
  const retries = opts.retries ?? 5;
  const base = opts.baseDelayMs ?? 500;
  const max = opts.maxDelayMs ?? 30_000;
  const stats = { requests: 0, retries: 0 };

  async function call<T>(endpoint: string, send: () => Promise<{ data: T; headers: Record<string, unknown> }>) {
    for (let attempt = 0; ; attempt++) {
      try {
        stats.requests += 1;
        return await run(send);
      } catch (e) {
        const error = toError(endpoint, e);
        if (!error.retryable || attempt >= retries) throw error;
        const backoff = Math.random() * Math.min(max, base * 2 ** attempt);
        const delayMs = Math.max(backoff, retryAfterMs(e) ?? 0);
        stats.retries += 1;
        opts.onRetry?.({ endpoint, attempt: attempt + 1, delayMs, reason: error.message });
        await sleep(delayMs);
      }
    }
  }
  const header = (headers: Record<string, unknown>, name: string) => {
    const n = Number(headers[name]);
    return Number.isFinite(n) ? n : null;
  };

  return {
    url: opts.url,
    stats,
    async get<T>(endpoint: string, params: Record<string, string | number> = {}) {
      return (await call<T>(endpoint, () => api.get(endpoint, params))).data;
    },
    async page<T>(endpoint: string, params: Record<string, string | number>) {
      const res = await call<T[]>(endpoint, () => api.get(endpoint, params));
      if (!Array.isArray(res.data)) throw new WooApiError(`WooCommerce ${endpoint}: expected a JSON array`, 200, null, false);
      return { items: res.data, total: header(res.headers, "x-wp-total"), totalPages: header(res.headers, "x-wp-totalpages") };
    },
    async post<T>(endpoint: string, data: unknown) {
      return (await call<T>(endpoint, () => api.post(endpoint, data))).data;
    },
    async put<T>(endpoint: string, data: unknown) {
      return (await call<T>(endpoint, () => api.put(endpoint, data))).data;
    },
    async delete<T>(endpoint: string, params: Record<string, string | number> = {}) {
      return (await call<T>(endpoint, () => api.delete(endpoint, params))).data;
    },
  };
}
