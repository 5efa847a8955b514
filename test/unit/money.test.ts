import { describe, expect, it } from "vitest";
import { currencyDigits, formatMoney } from "../../app/core/money.ts";

// Intl uses non-breaking spaces; compare with plain ones.
const plain = (s: string) => s.replace(/\u00a0|\u202f/g, " ");

describe("money", () => {
  it("knows each currency's minor-unit digits", () => {
    expect(currencyDigits("BRL")).toBe(2);
    expect(currencyDigits("JPY")).toBe(0);
    expect(currencyDigits("KWD")).toBe(3);
  });

  it("formats minor units in the store currency and the viewer's locale", () => {
    expect(plain(formatMoney(123456n, "BRL", "pt-BR"))).toBe("R$ 1.234,56");
    expect(formatMoney(123456n, "BRL", "en")).toBe("R$1,234.56");
    expect(formatMoney("1500", "JPY", "en")).toBe("¥1,500");
    expect(plain(formatMoney(-990, "BRL", "pt-BR"))).toBe("-R$ 9,90");
  });
});
