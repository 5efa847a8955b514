// Reading the values merchants' spreadsheets contain: Brazilian and English money ("1.234,56",
// "R$ 10", "1,234.56"), dates (dd/mm/yyyy, yyyy-mm-dd, with or without a time), CPF/CNPJ with
// their check digits, yes/no in both languages. Each parser returns a value or a reason.
import { currencyDigits } from "#app/core/money.ts";

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (reason: string): Parsed<never> => ({ ok: false, reason });

/**
 * Money text → integer minor units. The last "," or "." followed by 1–2 (or the currency's) digits
 * is the decimal separator; other separators group thousands. "1.234" (3 digits after the only
 * dot) is read as one thousand two hundred thirty-four, as a pt-BR spreadsheet means it.
 */
export function parseMoney(text: string, currency: string): Parsed<bigint> {
  const digits = currencyDigits(currency);
  let s = text.trim().replace(/^(R\$|US\$|\$|€|BRL|USD|EUR)\s*/i, "").replace(/\s/g, "");
  const negative = s.startsWith("-") || (s.startsWith("(") && s.endsWith(")"));
  s = s.replace(/^[-(]|\)$/g, "");
  if (!/^[\d.,]+$/.test(s) || !/\d/.test(s)) return fail("notMoney");
  const last = Math.max(s.lastIndexOf(","), s.lastIndexOf("."));
  let whole = s;
  let frac = "";
  if (last >= 0) {
    const after = s.slice(last + 1);
    const sepCount = s.split(s[last]!).length - 1;
    const isDecimal = after.length > 0 && after.length <= Math.max(digits, 2) && !(after.length === 3 && sepCount >= 1 && digits !== 3);
    if (isDecimal) {
      whole = s.slice(0, last);
      frac = after;
    }
  }
  whole = whole.replace(/[.,]/g, "");
  if (frac.length > digits) return fail("tooManyDecimals");
  const minor = BigInt(whole || "0") * 10n ** BigInt(digits) + BigInt((frac + "0".repeat(digits)).slice(0, digits) || "0");
  return ok(negative ? -minor : minor);
}

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** False when the text had only a date. */
  hasTime: boolean;
}

/** dd/mm/yyyy (or dd-mm-yyyy, dd.mm.yyyy, 2-digit years), yyyy-mm-dd, optionally followed by hh:mm[:ss]. */
export function parseLocalDate(text: string): Parsed<LocalDateTime> {
  const s = text.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  let y: number, mo: number, d: number;
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else {
    m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T](\d{1,2}):(\d{2})(?::\d{2})?)?$/.exec(s);
    if (!m) return fail("notDate");
    [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (y < 100) y += y >= 70 ? 1900 : 2000;
  }
  const hour = m[4] ? Number(m[4]) : 0;
  const minute = m[5] ? Number(m[5]) : 0;
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d || hour > 23 || minute > 59) return fail("invalidDate");
  return ok({ year: y, month: mo, day: d, hour, minute, hasTime: Boolean(m[4]) });
}

/** The UTC instant of a wall-clock time in a time zone (DST-aware through Intl). */
export function zonedToUtc(t: LocalDateTime, timeZone: string): Date {
  const guess = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
  const offsetAt = (ms: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
        .formatToParts(new Date(ms))
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - ms;
  };
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}

function checkDigits(base: string, weights: number[]): number {
  const sum = [...base].reduce((acc, ch, i) => acc + Number(ch) * weights[i]!, 0);
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

/** CPF (11 digits) or CNPJ (14 digits), punctuation ignored, check digits verified → digits only. */
export function parseTaxId(text: string): Parsed<string> {
  const digits = text.replace(/\D/g, "");
  if (digits.length === 11) {
    if (/^(\d)\1{10}$/.test(digits)) return fail("invalidCpf");
    const d1 = checkDigits(digits.slice(0, 9), [10, 9, 8, 7, 6, 5, 4, 3, 2]);
    const d2 = checkDigits(digits.slice(0, 10), [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
    return digits.endsWith(`${d1}${d2}`) ? ok(digits) : fail("invalidCpf");
  }
  if (digits.length === 14) {
    if (/^(\d)\1{13}$/.test(digits)) return fail("invalidCnpj");
    const d1 = checkDigits(digits.slice(0, 12), [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
    const d2 = checkDigits(digits.slice(0, 13), [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
    return digits.endsWith(`${d1}${d2}`) ? ok(digits) : fail("invalidCnpj");
  }
  return fail("invalidTaxId");
}

export function parseBool(text: string): Parsed<boolean> {
  const s = text.trim().toLowerCase();
  if (["sim", "s", "yes", "y", "true", "1", "x", "verdadeiro"].includes(s)) return ok(true);
  if (["não", "nao", "n", "no", "false", "0", "falso", ""].includes(s)) return ok(false);
  return fail("notYesNo");
}

export function parseQuantity(text: string): Parsed<number> {
  const s = text.trim().replace(",", ".");
  const n = Number(s);
  if (!/^\d+(\.0+)?$/.test(s) || n < 1 || n > 1_000_000) return fail("notQuantity");
  return ok(n);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export function parseEmail(text: string): Parsed<string> {
  const s = text.trim().toLowerCase();
  return EMAIL.test(s) ? ok(s) : fail("invalidEmail");
}

/** Phone digits with a leading "+" kept; Brazilian numbers without country code get +55. */
export function parsePhone(text: string): Parsed<string> {
  const digits = text.replace(/\D/g, "");
  if (digits.length < 8 || digits.length > 15) return fail("invalidPhone");
  if (text.trim().startsWith("+")) return ok(`+${digits}`);
  if (digits.length === 10 || digits.length === 11) return ok(`+55${digits}`);
  return ok(`+${digits}`);
}
