// Pure parts of follow-ups: signed link tokens, quiet hours in the store's time zone, staleness,
// the frequency cap, locale choice, and the renderer's escaping and plain-text part.
import { describe, expect, it } from "vitest";
import { linkKey, signLinkToken, verifyLinkToken } from "../../app/core/email/tokens.ts";
import { isStale, overFrequencyCap, quietHoursEnd, stepDueAt } from "../../app/core/flows/rules.ts";
import { messageKey, pickLocale, storeFlowSettings, stepInputSchema } from "../../app/core/flows/model.ts";
import { renderMessage, sampleVars } from "../../app/core/flows/render.ts";
import { BUILT_IN_FLOWS } from "../../app/core/flows/builtins.ts";
import { formatMoney } from "../../app/core/money.ts";
import * as strings from "../../app/i18n/areas/flows.ts";

const key = linkKey("a-session-secret-of-at-least-32-characters!!");

describe("link tokens", () => {
  it("round-trip and refuse tampering, another key and shapes we never issue", () => {
    const t = signLinkToken(key, { k: "u", s: 3, c: 17, m: 9 });
    expect(verifyLinkToken(key, t)).toEqual({ k: "u", s: 3, c: 17, m: 9 });
    const [payload, mac] = t.split(".");
    const other = Buffer.from(JSON.stringify({ k: "u", s: 3, c: 18 })).toString("base64url");
    expect(verifyLinkToken(key, `${other}.${mac}`)).toBeNull();
    expect(verifyLinkToken(linkKey("another-secret-another-secret-another"), t)).toBeNull();
    expect(verifyLinkToken(key, `${payload}`)).toBeNull();
    expect(verifyLinkToken(key, signLinkToken(key, { k: "c", s: 1, m: 2, u: "javascript:alert(1)" }))).toBeNull();
    expect(verifyLinkToken(key, signLinkToken(key, { k: "c", s: 1, m: 2, u: "https://loja.example/x" }))).toMatchObject({ u: "https://loja.example/x" });
  });
});

describe("quiet hours", () => {
  const quiet = { start: "21:00", end: "08:00" };
  it("are read in the store's time zone and end at the local end time", () => {
    // 23:30 in São Paulo (UTC−3) = 02:30 UTC → ends 08:00 local = 11:00 UTC.
    expect(quietHoursEnd(new Date("2026-11-17T02:30:00Z"), "America/Sao_Paulo", quiet)?.toISOString()).toBe("2026-11-17T11:00:00.000Z");
    // 12:00 local: not quiet.
    expect(quietHoursEnd(new Date("2026-11-17T15:00:00Z"), "America/Sao_Paulo", quiet)).toBeNull();
    // Same instant, Lisbon (UTC+0): 02:30 local → 08:00 local = 08:00 UTC.
    expect(quietHoursEnd(new Date("2026-11-17T02:30:00Z"), "Europe/Lisbon", quiet)?.toISOString()).toBe("2026-11-17T08:00:00.000Z");
    // A window inside one day, and none at all.
    expect(quietHoursEnd(new Date("2026-11-17T16:10:00Z"), "America/Sao_Paulo", { start: "13:00", end: "14:00" })?.toISOString()).toBe("2026-11-17T17:00:00.000Z");
    expect(quietHoursEnd(new Date("2026-11-17T02:30:00Z"), "America/Sao_Paulo", null)).toBeNull();
  });
});

describe("timing and caps", () => {
  it("counts delays from the trigger, judges staleness and the cap", () => {
    const t0 = new Date("2026-11-16T13:00:00Z");
    expect(stepDueAt(t0, 72 * 60).toISOString()).toBe("2026-11-19T13:00:00.000Z");
    expect(isStale(t0, new Date(t0.getTime() + 13 * 3_600_000), 12 * 60)).toBe(true);
    expect(isStale(t0, new Date(t0.getTime() + 11 * 3_600_000), 12 * 60)).toBe(false);
    expect(isStale(t0, new Date(t0.getTime() + 1e10), undefined)).toBe(false);
    expect(overFrequencyCap(2, { max: 2, hours: 24 })).toBe(true);
    expect(overFrequencyCap(1, { max: 2, hours: 24 })).toBe(false);
    expect(messageKey(1, 2, 3, "checkout:4")).toBe("flow:1:step:2:customer:3:checkout:4");
  });

  it("picks the customer's language, else the store's, else pt-BR; store settings fall back to defaults", () => {
    expect(pickLocale("en-US", "pt-BR")).toBe("en");
    expect(pickLocale("pt-PT", "en")).toBe("pt-BR");
    expect(pickLocale("es", "en-GB")).toBe("en");
    expect(pickLocale(null, "fr")).toBe("pt-BR");
    expect(storeFlowSettings({ flows: { attributionDays: 14 } })).toMatchObject({ attributionDays: 14, frequencyCap: { max: 2, hours: 24 }, quietHours: { start: "21:00", end: "08:00" } });
    expect(storeFlowSettings({ flows: { attributionDays: "x" } }).attributionDays).toBe(7);
    // Quiet hours from the settings page's key win (null = send any time).
    expect(storeFlowSettings({ quietHours: null, flows: {} }).quietHours).toBeNull();
    expect(storeFlowSettings({ quietHours: { start: "22:00", end: "07:00" } }).quietHours).toEqual({ start: "22:00", end: "07:00" });
  });

  it("step input errors name their path", () => {
    const r = stepInputSchema.safeParse({ delayMinutes: -1, content: { "pt-BR": { subject: "", body: "x" }, en: { subject: "a", body: "b" } }, condition: "x" });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["delayMinutes", "content.pt-BR.subject", "condition"]));
  });
});

describe("rendering", () => {
  const content = { "pt-BR": { subject: "Oi {{firstName}}", body: "Olá {{firstName}},\n\nLinha 2 <b>não</b> é HTML" }, en: { subject: "Hi {{firstName}}", body: "Hello {{firstName}}" } };
  const money = (m: number) => formatMoney(m, "BRL", "pt-BR");

  it("escapes every value in the HTML part, keeps the text part plain, and routes links through link()", () => {
    const vars = { ...sampleVars("pt-BR", "Loja <Teste> & Cia", money), firstName: '<script>alert("x")</script>' };
    const r = renderMessage(content, "pt-BR", vars, (u) => `https://t.example/c?u=${encodeURIComponent(u)}`);
    expect(r.subject).toBe('Oi <script>alert("x")</script>');
    expect(r.html).not.toContain("<script>");
    expect(r.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(r.html).toContain("Loja &lt;Teste&gt; &amp; Cia");
    expect(r.html).toContain("Linha 2 &lt;b&gt;não&lt;/b&gt; é HTML");
    expect(r.html).toContain('href="https://t.example/c?u=https%3A%2F%2Fexample.com%2Fcheckout%2Frecover"');
    expect(r.text).toContain("Linha 2 <b>não</b> é HTML");
    expect(r.text).toContain("Finalizar minha compra: https://t.example/c?u=");
    expect(r.text).toContain("Cancelar inscrição: https://example.com/unsubscribe/sample");
  });

  it("every built-in flow renders in both languages with its variables filled", () => {
    for (const flow of BUILT_IN_FLOWS) {
      for (const step of flow.steps) {
        for (const locale of ["pt-BR", "en"] as const) {
          const r = renderMessage(step.content, locale, sampleVars(locale, "Loja", money));
          expect(r.subject.length).toBeGreaterThan(3);
          expect(r.subject).not.toMatch(/\{\{|\}\}/);
          expect(r.text).not.toMatch(/\{\{|\}\}/);
          expect(r.html).toContain(`lang="${locale}"`);
        }
      }
    }
  });

  it("email strings exist in both languages with the same variables", () => {
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const [k, v] of Object.entries(strings.en.email)) expect(vars(strings.ptBR.email[k as keyof typeof strings.en.email])).toEqual(vars(v));
  });
});
