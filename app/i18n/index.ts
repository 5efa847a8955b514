// i18next set up synchronously from bundled resources, so the server render and the browser's
// hydration use the same strings with no loading step. Polaris's own strings come from its locales.
import { createInstance, type i18n as I18n } from "i18next";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisPtBR from "@shopify/polaris/locales/pt-BR.json";
import { en } from "./en";
import { ptBR } from "./pt-BR";

export const LOCALES = ["pt-BR", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "pt-BR";

/** Map any BCP 47 tag (pt, pt-PT, en-US, …) or Accept-Language header to a supported locale. */
export function resolveLocale(...candidates: (string | null | undefined)[]): Locale {
  for (const c of candidates) {
    if (!c) continue;
    for (const part of c.split(",")) {
      const tag = part.split(";")[0]!.trim().toLowerCase();
      if (tag.startsWith("pt")) return "pt-BR";
      if (tag.startsWith("en")) return "en";
    }
  }
  return DEFAULT_LOCALE;
}

export function createI18n(locale: Locale): I18n {
  const i18n = createInstance();
  void i18n.init({
    lng: locale,
    fallbackLng: "en",
    resources: { en: { translation: en }, "pt-BR": { translation: ptBR } },
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  return i18n;
}

export const polarisTranslations = { en: polarisEn, "pt-BR": polarisPtBR } as const;
