// Why a webhook delivery failed, in words a merchant can act on: the raw error stays available as
// detail, the list shows one of a few plain reasons (strings under `failures.reasons.*`).

export const FAILURE_REASONS = ["unreadable", "database", "timeout", "connection", "unknown"] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** Where a failed delivery stands: still being retried, given up after its retries, or never retryable. */
export type FailureState = "retrying" | "deadLettered" | "gaveUp";

const RULES: [FailureReason, RegExp][] = [
  // Normalisers and JSON.parse: the payload itself cannot be read; retrying cannot help.
  ["unreadable", /not valid JSON|Unexpected token|Unexpected end|JSON at position|payload|expected .* received|no normaliser/i],
  ["timeout", /timed? ?out|timeout|statement timeout|canceling statement/i],
  ["connection", /ECONNREFUSED|ECONNRESET|connection (terminated|refused|lost|ended)|terminating connection|Connection terminated|server closed the connection|socket hang up/i],
  // PostgreSQL errors as Prisma reports them ("Raw query failed. Code: `23505`…", P2xxx codes).
  ["database", /violates|constraint|invalid input|out of range|duplicate key|deadlock|exception|syntax error|does not exist|Raw query failed|Code: `\w{5}`|\bP2\d{3}\b/i],
];

export function failureReason(error: string | null | undefined): FailureReason {
  if (!error) return "unknown";
  for (const [reason, pattern] of RULES) if (pattern.test(error)) return reason;
  return "unknown";
}

/**
 * The informative part of an error, shortened for a table cell (the full text stays in the row):
 * PostgreSQL's own message from a Prisma error, else the first line that is not Prisma's
 * "Invalid `prisma.x()` invocation:" preamble.
 */
export function failureDetail(error: string | null | undefined, max = 240): string {
  const text = error ?? "";
  const message = /Message: `([^`]+)`/.exec(text)?.[1];
  const line = message ?? text.split("\n").find((l) => l.trim() !== "" && !/^Invalid `prisma\./.test(l.trim()))?.trim() ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
