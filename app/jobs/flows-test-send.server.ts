// Test sends from the admin (email settings page, flow editor): the store's real provider, sample
// data, "[Test]" in the subject. Not a flow message: no outbox row, no consent rules.
import type { Store } from "@prisma/client";
import { createEmailSender, EmailSendError } from "#adapters/email/index.server.ts";
import { resolveEmailSettings } from "#app/core/email/settings.server.ts";
import { signLinkToken } from "#app/core/email/tokens.ts";
import type { Keyring } from "#app/core/crypto.ts";
import { formatMoney } from "#app/core/money.ts";
import { BUILT_IN_FLOWS } from "#app/core/flows/builtins.ts";
import type { FlowLocale, StepContent } from "#app/core/flows/model.ts";
import { renderMessage, sampleVars } from "#app/core/flows/render.ts";

export type TestSendResult = { ok: true; provider: string; messageId: string | null } | { ok: false; error: string };

export async function sendTestEmail(
  deps: { keys: Keyring; appUrl: string; linkKey: Buffer },
  store: Store,
  to: string,
  opts: { content?: StepContent; locale: FlowLocale },
): Promise<TestSendResult> {
  const settings = resolveEmailSettings(store, deps.keys);
  if (!settings) return { ok: false, error: "notConfigured" };
  const content = opts.content ?? BUILT_IN_FLOWS[0]!.steps[0]!.content;
  const vars = sampleVars(opts.locale, store.name, (minor) => formatMoney(minor, store.currency, opts.locale));
  // A real (signed) unsubscribe URL shape, for a customer that does not exist: it answers 400.
  const unsubscribeUrl = `${deps.appUrl}/unsubscribe/${signLinkToken(deps.linkKey, { k: "u", s: store.id, c: 2147483647 })}`;
  const rendered = renderMessage(content, opts.locale, { ...vars, unsubscribeUrl }, undefined, { test: true });
  const sender = createEmailSender(settings.transport);
  try {
    const r = await sender.send({
      from: settings.from,
      to: { address: to },
      replyTo: settings.replyTo,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      headers: { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    });
    return { ok: true, provider: r.provider, messageId: r.messageId };
  } catch (e) {
    return { ok: false, error: e instanceof EmailSendError ? e.message : `unexpected: ${(e as Error).message}` };
  } finally {
    sender.close?.();
  }
}
