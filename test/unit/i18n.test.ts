import { describe, expect, it } from "vitest";
import { en } from "../../app/i18n/en.ts";
import { ptBR } from "../../app/i18n/pt-BR.ts";
import { createI18n, resolveLocale } from "../../app/i18n/index.ts";

function keys(o: object, prefix = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === "object" ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe("i18n", () => {
  it("has the same keys in pt-BR and English, none empty, and the same {{variables}}", () => {
    expect(keys(ptBR).sort()).toEqual(keys(en).sort());
    const get = (o: object, k: string) => k.split(".").reduce<unknown>((x, p) => (x as Record<string, unknown>)[p], o) as string;
    for (const k of keys(en)) {
      expect(get(ptBR, k).length, k).toBeGreaterThan(0);
      const vars = (s: string) => (s.match(/{{\w+}}/g) ?? []).sort();
      expect(vars(get(ptBR, k)), k).toEqual(vars(get(en, k)));
    }
  });

  it("resolves admin and browser locales to pt-BR or English, pt-BR by default", () => {
    expect(resolveLocale("en-US")).toBe("en");
    expect(resolveLocale("pt-PT")).toBe("pt-BR");
    expect(resolveLocale(null, "fr-FR,en;q=0.8")).toBe("en");
    expect(resolveLocale("de")).toBe("pt-BR");
    expect(resolveLocale(undefined, null)).toBe("pt-BR");
  });

  it("renders interpolated strings synchronously in both languages", () => {
    expect(createI18n("en").t("dashboard.syncRunning", { done: 5, total: 10 })).toBe("Importing the store's history: 5 of 10 events");
    expect(createI18n("pt-BR").t("dashboard.syncRunning", { done: 5, total: 10 })).toBe("Importando o histórico da loja: 5 de 10 eventos");
  });
});
