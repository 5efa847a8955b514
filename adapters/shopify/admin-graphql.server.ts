// One Admin GraphQL client for every call caderninho makes to Shopify (backfill, tag push-back,
// shop details). Shopify limits each app+shop pair with a leaky bucket of query cost points and
// answers an over-budget query with HTTP 200 + `errors[0].extensions.code = "THROTTLED"`, which
// @shopify/shopify-api does not retry (see ../shared/notes/platforms.md §3.4). This wrapper:
//
// - mirrors the bucket from `extensions.cost.throttleStatus` and, before sending, waits until the
//   query's cost (its last known `requestedQueryCost`) has been restored; concurrent callers
//   reserve their cost, so they queue instead of stampeding, and while the bucket is still
//   unknown only one request goes out to learn it;
// - retries THROTTLED, HTTP 429 (honouring Retry-After), 5xx, network errors and timeouts with
//   exponential backoff and full jitter, up to a number of attempts and a total time;
// - throws ShopifyApiError for everything else: GraphQL errors (not retried) and `userErrors`
//   of mutation payloads (not retried), with Shopify's messages.
//
// The bucket math and the backoff schedule are pure functions of an injected clock and random
// source, exported for unit tests.

// ------------------------------------------------------------------------------------------
// Types
// ------------------------------------------------------------------------------------------

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost: number | null;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus | null;
}

export interface GraphqlUserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

export interface AdminGraphqlResponse<T> {
  data: T;
  cost?: QueryCost;
  extensions?: Record<string, unknown>;
}

/** Structural subset of a pino logger. */
export interface GraphqlLogger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  warn?(obj: Record<string, unknown>, msg?: string): void;
}

export interface RetryOptions {
  /** Attempts in all, the first included (default 6). */
  maxAttempts?: number;
  /** Give up rather than start a wait that would end later than this after the first attempt (default 120 s). */
  maxElapsedMs?: number;
  /** First backoff ceiling (default 500 ms); doubles per retry. */
  baseDelayMs?: number;
  /** Largest backoff ceiling (default 30 s). */
  maxDelayMs?: number;
}

export interface AdminGraphqlOptions {
  /** "emporio-jabuticaba.myshopify.com". */
  shop: string;
  accessToken: string;
  /** "2026-10". */
  apiVersion: string;
  /** Full GraphQL URL instead of https://{shop}/admin/api/{apiVersion}/graphql.json (simulator, proxies). */
  endpoint?: string;
  fetch?: typeof fetch;
  log?: GraphqlLogger;
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1) for jitter. */
  random?: () => number;
  /** Milliseconds clock for the bucket and the retry deadline. */
  now?: () => number;
  /** Per-attempt timeout (default 30 s). */
  timeoutMs?: number;
  retry?: RetryOptions;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Return mutation payloads with userErrors instead of throwing (the caller inspects them). */
  allowUserErrors?: boolean;
}

export interface AdminGraphqlClient {
  request<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<AdminGraphqlResponse<T>>;
  /** Points the client believes are available now (null until Shopify has reported a bucket). */
  available(): number | null;
  readonly endpoint: string;
}

export type ShopifyApiErrorCode =
  | "THROTTLED"
  | "HTTP_429"
  | "HTTP_5XX"
  | "HTTP_ERROR"
  | "NETWORK"
  | "TIMEOUT"
  | "ABORTED"
  | "BAD_RESPONSE"
  | "GRAPHQL"
  | "USER_ERRORS"
  | (string & {});

export class ShopifyApiError extends Error {
  /** HTTP status; null when no response arrived (network error, timeout). */
  readonly status: number | null;
  /** THROTTLED, HTTP_429, HTTP_5XX, NETWORK, TIMEOUT, GRAPHQL, USER_ERRORS, or Shopify's own `extensions.code` (ACCESS_DENIED, MAX_COST_EXCEEDED …). */
  readonly code: ShopifyApiErrorCode;
  /** Whether the failure was transient (true also when the client gave up retrying it). */
  readonly retryable: boolean;
  /** Requests sent, the failing one included (0: refused before sending). */
  readonly attempts: number;
  readonly operation: string;
  readonly userErrors: GraphqlUserError[];
  readonly graphqlErrors: unknown[];

  constructor(
    message: string,
    details: {
      status: number | null;
      code: ShopifyApiErrorCode;
      retryable: boolean;
      operation: string;
      attempts?: number;
      userErrors?: GraphqlUserError[];
      graphqlErrors?: unknown[];
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "ShopifyApiError";
    this.status = details.status;
    this.code = details.code;
    this.retryable = details.retryable;
    this.operation = details.operation;
    this.attempts = details.attempts ?? 1;
    this.userErrors = details.userErrors ?? [];
    this.graphqlErrors = details.graphqlErrors ?? [];
  }
}

// ------------------------------------------------------------------------------------------
// Pure logic: bucket math and backoff schedule
// ------------------------------------------------------------------------------------------

/** Points available `elapsedMs` after Shopify reported `status`, restored at `restoreRate` per second, capped at the maximum. */
export function restoredAvailable(status: ThrottleStatus, elapsedMs: number): number {
  const restored = status.currentlyAvailable + (Math.max(0, elapsedMs) / 1000) * status.restoreRate;
  return Math.min(status.maximumAvailable, restored);
}

/**
 * Milliseconds to wait before a query of `cost` points fits in a bucket holding `available`
 * points (possibly negative after reservations) and restoring `restoreRate` per second. A cost
 * above the bucket's maximum waits for a full bucket (Shopify then refuses it with
 * MAX_COST_EXCEEDED, which is not retried).
 */
export function costWaitMs(available: number, cost: number, restoreRate: number, maximumAvailable = Infinity): number {
  const needed = Math.min(cost, maximumAvailable);
  if (available >= needed) return 0;
  if (!(restoreRate > 0)) return Infinity;
  return Math.ceil(((needed - available) / restoreRate) * 1000);
}

export interface BackoffSchedule {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Ceiling of the wait before retry number `retry` (1 = first retry): base · 2^(retry−1), capped. */
export function backoffCeilingMs(retry: number, schedule: BackoffSchedule): number {
  const exponent = Math.max(0, retry - 1);
  return Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** Math.min(exponent, 52));
}

/** "Full jitter": uniform in [0, ceiling). */
export function backoffDelayMs(retry: number, schedule: BackoffSchedule, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * backoffCeilingMs(retry, schedule));
}

/** Retry-After as delta-seconds ("2", "2.5") or an HTTP date, in ms from `nowMs`; null when absent or unreadable. */
export function parseRetryAfterMs(header: string | null | undefined, nowMs: number): number | null {
  if (header == null) return null;
  const text = header.trim();
  if (text === "") return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** `query shopBasics {…}` → "shopBasics"; anonymous documents → "anonymous". */
export function operationName(query: string): string {
  const match = /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(query);
  return match?.[1] ?? "anonymous";
}

/**
 * The client's model of Shopify's bucket. Shopify's last report is the truth; costs of requests
 * sent but not answered yet are reserved on top of it, so concurrent callers queue behind each
 * other. Reports are applied in send order, so a slow old answer cannot overwrite a newer one.
 */
export class CostBucket {
  private status: ThrottleStatus | null = null;
  private reportedAt = 0;
  private appliedSeq = -1;
  private reserved = 0;

  constructor(private readonly now: () => number) {}

  get known(): boolean {
    return this.status !== null;
  }

  get restoreRate(): number | null {
    return this.status?.restoreRate ?? null;
  }

  /** Available points now, minus reservations; null while unknown. */
  available(): number | null {
    if (!this.status) return null;
    return restoredAvailable(this.status, this.now() - this.reportedAt) - this.reserved;
  }

  /** Wait before a query of `cost` may go out (0 while the bucket is unknown). */
  delayFor(cost: number): number {
    const available = this.available();
    if (available === null || !this.status) return 0;
    return costWaitMs(available, cost, this.status.restoreRate, this.status.maximumAvailable);
  }

  /** Reserve `cost` points until the answer arrives; call the returned function exactly once then. */
  reserve(cost: number): () => void {
    this.reserved += cost;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.reserved -= cost;
    };
  }

  /** Apply Shopify's report from the request sent as number `seq`. */
  report(status: ThrottleStatus, seq: number): void {
    if (seq < this.appliedSeq) return;
    this.appliedSeq = seq;
    this.status = { ...status };
    this.reportedAt = this.now();
  }
}

// ------------------------------------------------------------------------------------------
// Response reading
// ------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function finiteNumber(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** `extensions.cost` of a response, when it has one. */
export function readQueryCost(extensions: unknown): QueryCost | undefined {
  if (!isObject(extensions) || !isObject(extensions.cost)) return undefined;
  const cost = extensions.cost;
  const throttle = isObject(cost.throttleStatus) ? cost.throttleStatus : null;
  const maximumAvailable = finiteNumber(throttle?.maximumAvailable);
  const currentlyAvailable = finiteNumber(throttle?.currentlyAvailable);
  const restoreRate = finiteNumber(throttle?.restoreRate);
  return {
    requestedQueryCost: finiteNumber(cost.requestedQueryCost),
    actualQueryCost: finiteNumber(cost.actualQueryCost),
    throttleStatus:
      maximumAvailable !== null && currentlyAvailable !== null && restoreRate !== null
        ? { maximumAvailable, currentlyAvailable, restoreRate }
        : null,
  };
}

function errorCode(error: unknown): string | null {
  if (!isObject(error) || !isObject(error.extensions)) return null;
  return typeof error.extensions.code === "string" ? error.extensions.code : null;
}

function errorMessage(error: unknown): string {
  if (isObject(error) && typeof error.message === "string") return error.message;
  return typeof error === "string" ? error : JSON.stringify(error);
}

/** userErrors of every top-level mutation payload in `data`. */
export function collectUserErrors(data: unknown): GraphqlUserError[] {
  if (!isObject(data)) return [];
  const found: GraphqlUserError[] = [];
  for (const payload of Object.values(data)) {
    if (!isObject(payload) || !Array.isArray(payload.userErrors)) continue;
    for (const raw of payload.userErrors) {
      if (!isObject(raw)) continue;
      found.push({
        field: Array.isArray(raw.field) ? raw.field.map(String) : null,
        message: typeof raw.message === "string" ? raw.message : JSON.stringify(raw),
        code: typeof raw.code === "string" ? raw.code : null,
      });
    }
  }
  return found;
}

// ------------------------------------------------------------------------------------------
// The client
// ------------------------------------------------------------------------------------------

const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 6, maxElapsedMs: 120_000, baseDelayMs: 500, maxDelayMs: 30_000 };
/** Assumed cost of a query never sent before (Shopify's typical small query). */
const UNKNOWN_COST = 10;
const MYSHOPIFY_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i;

type Attempt =
  | { kind: "ok"; data: unknown; cost: QueryCost | undefined; extensions: Json | undefined; status: number }
  | { kind: "retry"; error: ShopifyApiError; cost: QueryCost | undefined; retryAfterMs: number | null };

export function createAdminGraphql(options: AdminGraphqlOptions): AdminGraphqlClient {
  if (!options.endpoint && !MYSHOPIFY_DOMAIN.test(options.shop)) {
    throw new TypeError(`shop must be a *.myshopify.com domain, got "${options.shop}"`);
  }
  if (!/^\d{4}-\d{2}$|^unstable$/.test(options.apiVersion)) {
    throw new TypeError(`apiVersion must look like "2026-10", got "${options.apiVersion}"`);
  }
  const endpoint = options.endpoint ?? `https://${options.shop}/admin/api/${options.apiVersion}/graphql.json`;
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const log = options.log;

  const bucket = new CostBucket(now);
  /** Last requestedQueryCost per query document. */
  const knownCosts = new Map<string, number>();
  /** While the bucket is unknown, the one request out learning it. */
  let probe: Promise<unknown> | null = null;
  let seq = 0;

  async function attemptOnce(
    query: string,
    variables: Record<string, unknown> | undefined,
    operation: string,
    signal: AbortSignal | undefined,
    sentSeq: number,
    attempt: number,
  ): Promise<Attempt> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const fail = (code: ShopifyApiErrorCode, message: string, status: number | null, cause?: unknown) =>
      new ShopifyApiError(`Shopify Admin GraphQL ${operation}: ${message}`, { status, code, retryable: true, operation, attempts: attempt, cause });

    let response: Response;
    let text: string;
    try {
      response = await doFetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-Shopify-Access-Token": options.accessToken,
        },
        body: JSON.stringify(variables === undefined ? { query } : { query, variables }),
        signal: combined,
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) {
        throw new ShopifyApiError(`Shopify Admin GraphQL ${operation}: aborted`, { status: null, code: "ABORTED", retryable: false, operation, attempts: attempt, cause: error });
      }
      if (timeout.aborted) return { kind: "retry", error: fail("TIMEOUT", `no answer within ${timeoutMs} ms`, null, error), cost: undefined, retryAfterMs: null };
      return { kind: "retry", error: fail("NETWORK", `network error: ${(error as Error).message ?? String(error)}`, null, error), cost: undefined, retryAfterMs: null };
    }

    const status = response.status;
    let body: unknown = undefined;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const cost = isObject(body) ? readQueryCost(body.extensions) : undefined;
    if (cost?.throttleStatus) bucket.report(cost.throttleStatus, sentSeq);
    if (cost?.requestedQueryCost != null) knownCosts.set(query, cost.requestedQueryCost);

    if (status === 429) {
      const retryAfterMs = parseRetryAfterMs(response.headers.get("retry-after"), now());
      return { kind: "retry", error: fail("HTTP_429", "HTTP 429 Too Many Requests", status), cost, retryAfterMs };
    }
    if (status >= 500) {
      return { kind: "retry", error: fail("HTTP_5XX", `HTTP ${status}${snippet(text)}`, status), cost, retryAfterMs: parseRetryAfterMs(response.headers.get("retry-after"), now()) };
    }
    if (status < 200 || status >= 300) {
      const detail = isObject(body) && body.errors !== undefined ? errorsText(body.errors) : snippet(text);
      throw new ShopifyApiError(`Shopify Admin GraphQL ${operation}: HTTP ${status}${detail ? ` ${detail}` : ""}`, {
        status,
        code: "HTTP_ERROR",
        retryable: false,
        operation,
        attempts: attempt,
      });
    }
    if (!isObject(body)) {
      // A 200 whose body is not JSON: a proxy or a cut-off transfer; worth another try.
      return { kind: "retry", error: fail("BAD_RESPONSE", `HTTP ${status} with a body that is not JSON${snippet(text)}`, status), cost, retryAfterMs: null };
    }

    const errors = Array.isArray(body.errors) ? body.errors : body.errors !== undefined ? [body.errors] : [];
    if (errors.length > 0) {
      if (errors.some((error) => errorCode(error) === "THROTTLED")) {
        return { kind: "retry", error: fail("THROTTLED", "throttled", status), cost, retryAfterMs: null };
      }
      const code = errors.map(errorCode).find((value): value is string => value !== null) ?? "GRAPHQL";
      throw new ShopifyApiError(`Shopify Admin GraphQL ${operation}: ${errorsText(errors)}`, {
        status,
        code,
        retryable: false,
        operation,
        attempts: attempt,
        graphqlErrors: errors,
      });
    }
    if (body.data === undefined || body.data === null) {
      throw new ShopifyApiError(`Shopify Admin GraphQL ${operation}: response without data`, { status, code: "BAD_RESPONSE", retryable: false, operation, attempts: attempt });
    }
    return { kind: "ok", data: body.data, cost, extensions: isObject(body.extensions) ? body.extensions : undefined, status };
  }

  async function request<T>(query: string, variables?: Record<string, unknown>, requestOptions: RequestOptions = {}): Promise<AdminGraphqlResponse<T>> {
    const operation = operationName(query);
    const startedAt = now();
    let lastError: ShopifyApiError | null = null;

    for (let attempt = 1; ; attempt++) {
      // Pace: wait for the bucket to hold this query's cost.
      while (!bucket.known && probe) await probe.catch(() => undefined);
      const estimate = knownCosts.get(query) ?? UNKNOWN_COST;
      const waitMs = bucket.delayFor(estimate);
      const release = bucket.reserve(estimate);
      let outcome: Attempt;
      try {
        if (waitMs > 0) {
          if (!Number.isFinite(waitMs) || now() + waitMs - startedAt > retry.maxElapsedMs) {
            if (lastError) throw giveUp(lastError, attempt - 1);
            // Nothing sent: the bucket cannot restore this query's cost within the time limit.
            throw new ShopifyApiError(
              `Shopify Admin GraphQL ${operation}: the cost bucket would not hold ${estimate} points within ${retry.maxElapsedMs} ms (wait ${waitMs} ms); not sent`,
              { status: null, code: "THROTTLED", retryable: true, operation, attempts: 0 },
            );
          }
          log?.debug({ operation, estimatedCost: estimate, available: bucket.available(), waitMs }, "shopify admin graphql: waiting for the cost bucket");
          await sleep(waitMs);
        }
        const sentSeq = seq++;
        const sentAt = now();
        const pending = attemptOnce(query, variables, operation, requestOptions.signal, sentSeq, attempt);
        const isProbe = !bucket.known && probe === null;
        if (isProbe) probe = pending;
        try {
          outcome = await pending;
        } finally {
          if (isProbe) probe = null;
        }
        logAttempt(operation, attempt, outcome, now() - sentAt);
      } finally {
        release();
      }

      if (outcome.kind === "ok") {
        const userErrors = collectUserErrors(outcome.data);
        if (userErrors.length > 0 && !requestOptions.allowUserErrors) {
          throw new ShopifyApiError(`Shopify Admin GraphQL ${operation}: ${userErrors.map(formatUserError).join("; ")}`, {
            status: outcome.status,
            code: "USER_ERRORS",
            retryable: false,
            operation,
            attempts: attempt,
            userErrors,
          });
        }
        return { data: outcome.data as T, cost: outcome.cost, extensions: outcome.extensions };
      }

      lastError = outcome.error;
      if (attempt >= retry.maxAttempts) throw giveUp(lastError, attempt);
      const delay = outcome.retryAfterMs ?? backoffDelayMs(attempt, retry, random);
      if (now() + delay - startedAt > retry.maxElapsedMs) throw giveUp(lastError, attempt);
      log?.debug({ operation, attempt, code: lastError.code, status: lastError.status, delayMs: delay }, "shopify admin graphql: retrying");
      if (delay > 0) await sleep(delay);
      if (requestOptions.signal?.aborted) {
        throw new ShopifyApiError(`Shopify Admin GraphQL ${operation}: aborted`, { status: null, code: "ABORTED", retryable: false, operation, attempts: attempt });
      }
    }
  }

  function giveUp(error: ShopifyApiError, attempts: number): ShopifyApiError {
    const final = new ShopifyApiError(`${error.message} (gave up after ${attempts} attempt${attempts === 1 ? "" : "s"})`, {
      status: error.status,
      code: error.code,
      retryable: true,
      operation: error.operation,
      attempts,
      cause: error,
    });
    log?.warn?.({ operation: error.operation, attempts, code: error.code, status: error.status }, "shopify admin graphql: giving up");
    return final;
  }

  function logAttempt(operation: string, attempt: number, outcome: Attempt, durationMs: number): void {
    if (!log) return;
    const throttle = outcome.cost?.throttleStatus;
    log.debug(
      {
        operation,
        attempt,
        outcome: outcome.kind === "ok" ? "ok" : outcome.error.code,
        requestedQueryCost: outcome.cost?.requestedQueryCost ?? null,
        actualQueryCost: outcome.cost?.actualQueryCost ?? null,
        currentlyAvailable: throttle?.currentlyAvailable ?? null,
        maximumAvailable: throttle?.maximumAvailable ?? null,
        restoreRate: throttle?.restoreRate ?? null,
        durationMs,
      },
      "shopify admin graphql",
    );
  }

  return { request, available: () => bucket.available(), endpoint };
}

function formatUserError(error: GraphqlUserError): string {
  return error.field && error.field.length > 0 ? `${error.field.join(".")}: ${error.message}` : error.message;
}

function errorsText(errors: unknown): string {
  if (Array.isArray(errors)) return errors.map(errorMessage).join("; ");
  return errorMessage(errors);
}

function snippet(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  return `: ${trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed}`;
}
