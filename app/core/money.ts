// Money is integer minor units + ISO 4217 currency everywhere; only the UI turns it into text.

/** Number of minor-unit digits of a currency (2 for BRL/USD, 0 for JPY/CLP, 3 for KWD…). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Format minor units in the store's currency and the viewer's locale (R$ 1.234,56 / $1,234.56). */
export function formatMoney(minor: bigint | number | string, currency: string, locale: string): string {
  const digits = currencyDigits(currency);
  const value = Number(BigInt(minor)) / 10 ** digits;
  return new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}
