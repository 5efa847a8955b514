// Render one step's message: subject and body (the merchant's logic-less Mustache text) in the
// customer's language, inside our layout (also Mustache, which HTML-escapes every {{value}}), plus a
// plain-text part. Links go through `link()` so the caller can make them tracked redirects.
import Mustache from "mustache";
import * as strings from "#app/i18n/areas/flows.ts";
import type { FlowLocale, StepContent } from "./model.ts";

export interface MessageItem {
  title: string;
  quantity: number;
  /** Already formatted in the store's currency and the reader's locale. */
  price: string;
  imageUrl?: string | null;
}

export interface MessageVars {
  firstName: string;
  storeName: string;
  storeUrl?: string | null;
  orderName?: string | null;
  total?: string | null;
  items: MessageItem[];
  /** The main button: recovery URL, boleto/payment link, the order… */
  action?: { url: string; kind: "checkout" | "boleto" | "pay" | "order" | "store" } | null;
  boleto?: { barcode?: string | null; dueDate?: string | null } | null;
  pix?: { code: string } | null;
  discountCode?: string | null;
  recommendations: { title: string; price?: string | null; imageUrl?: string | null; url?: string | null }[];
  segmentName?: string | null;
  unsubscribeUrl?: string | null;
  openPixelUrl?: string | null;
}

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
}

/** The variables a merchant may use in subjects and bodies (shown in the editor). */
export const BODY_VARIABLES = ["firstName", "storeName", "orderName", "total", "discountCode", "boletoDueDate", "segmentName"] as const;

const LAYOUT = `<!doctype html>
<html lang="{{lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{subject}}</title></head>
<body style="margin:0;background:#f4f4f4;font-family:Arial,Helvetica,sans-serif;color:#202223">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:8px;padding:24px">
<tr><td><h1 style="font-size:20px;margin:0 0 16px">{{storeName}}</h1>
{{#paragraphs}}<p style="font-size:15px;line-height:1.5;margin:0 0 12px">{{#lines}}{{.}}<br>{{/lines}}</p>{{/paragraphs}}
{{#hasItems}}<h2 style="font-size:16px;margin:20px 0 8px">{{itemsTitle}}</h2>
<table role="presentation" width="100%" cellpadding="6" cellspacing="0" style="border-collapse:collapse">
{{#items}}<tr style="border-top:1px solid #e1e3e5">{{#imageUrl}}<td width="64"><img src="{{imageUrl}}" alt="{{title}}" width="56" height="56" style="border-radius:4px;object-fit:cover"></td>{{/imageUrl}}{{^imageUrl}}<td width="64"></td>{{/imageUrl}}
<td style="font-size:14px">{{title}}<br><span style="color:#6d7175">{{labels.quantity}}: {{quantity}}</span></td><td align="right" style="font-size:14px">{{price}}</td></tr>{{/items}}
{{#total}}<tr style="border-top:1px solid #e1e3e5"><td></td><td style="font-size:14px;font-weight:bold">{{labels.total}}</td><td align="right" style="font-size:14px;font-weight:bold">{{total}}</td></tr>{{/total}}
</table>{{/hasItems}}
{{#boleto}}<p style="font-size:14px;margin:16px 0 4px">{{labels.barcode}}:</p><p style="font-family:monospace;font-size:14px;background:#f6f6f7;padding:8px;word-break:break-all">{{barcode}}</p>{{#dueDate}}<p style="font-size:14px">{{labels.dueDate}}: {{dueDate}}</p>{{/dueDate}}{{/boleto}}
{{#pix}}<p style="font-size:14px;margin:16px 0 4px">{{labels.pixCode}}:</p><p style="font-family:monospace;font-size:13px;background:#f6f6f7;padding:8px;word-break:break-all">{{code}}</p><p style="font-size:13px;color:#6d7175">{{labels.pixHelp}}</p>{{/pix}}
{{#discountCode}}<p style="font-size:14px;margin:16px 0 4px">{{labels.discountCode}}:</p><p style="font-size:20px;font-weight:bold;letter-spacing:2px">{{discountCode}}</p>{{/discountCode}}
{{#action}}<p style="margin:24px 0"><a href="{{url}}" style="background:#008060;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-size:15px;display:inline-block">{{label}}</a></p>{{/action}}
{{#hasRecommendations}}<h2 style="font-size:16px;margin:20px 0 8px">{{labels.recommended}}</h2>
<table role="presentation" width="100%" cellpadding="6" cellspacing="0">{{#recommendations}}<tr>{{#imageUrl}}<td width="64"><img src="{{imageUrl}}" alt="{{title}}" width="56" height="56"></td>{{/imageUrl}}{{^imageUrl}}<td width="64"></td>{{/imageUrl}}
<td style="font-size:14px">{{#url}}<a href="{{url}}">{{title}}</a>{{/url}}{{^url}}{{title}}{{/url}}</td><td align="right" style="font-size:14px">{{price}}</td></tr>{{/recommendations}}</table>{{/hasRecommendations}}
</td></tr>
<tr><td style="padding-top:24px;font-size:12px;color:#6d7175">{{footer}}{{#unsubscribeUrl}} <a href="{{unsubscribeUrl}}" style="color:#6d7175">{{labels.unsubscribe}}</a>{{/unsubscribeUrl}}</td></tr>
</table></td></tr></table>
{{#openPixelUrl}}<img src="{{openPixelUrl}}" width="1" height="1" alt="" style="display:block;border:0">{{/openPixelUrl}}
</body></html>`;

/** HTML escaping for text and attribute values (Mustache's default also escapes / and =, which some mail clients show). */
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function labelsFor(locale: FlowLocale) {
  return locale === "pt-BR" ? strings.ptBR.email : strings.en.email;
}

/** Render merchant text without HTML escaping (the result is plain text; the layout escapes it). */
function renderText(template: string, view: Record<string, unknown>): string {
  return Mustache.render(template, view, {}, { escape: (v: unknown) => String(v) });
}

export function renderMessage(content: StepContent, locale: FlowLocale, vars: MessageVars, link: (url: string) => string = (u) => u, opts: { test?: boolean } = {}): RenderedMessage {
  const labels = labelsFor(locale);
  const view = {
    firstName: vars.firstName,
    storeName: vars.storeName,
    orderName: vars.orderName ?? "",
    total: vars.total ?? "",
    discountCode: vars.discountCode ?? "",
    boletoDueDate: vars.boleto?.dueDate ?? "",
    segmentName: vars.segmentName ?? "",
  };
  const { subject: subjectTemplate, body: bodyTemplate } = content[locale];
  const subject = (opts.test ? `${labels.testPrefix} ` : "") + renderText(subjectTemplate, view).replace(/\s+/g, " ").trim();
  const body = renderText(bodyTemplate, view).trim();
  const paragraphs = body.split(/\n\s*\n/).map((p) => ({ lines: p.split("\n") }));
  const actionLabel = vars.action
    ? { checkout: labels.finishCheckout, boleto: labels.openBoleto, pay: labels.payNow, order: labels.viewOrder, store: labels.visitStore }[vars.action.kind]
    : null;
  const action = vars.action ? { url: link(vars.action.url), label: actionLabel } : null;
  const recommendations = vars.recommendations.map((r) => ({ ...r, url: r.url ? link(r.url) : null, price: r.price ?? "" }));
  const footer = renderText(labels.footer, { storeName: vars.storeName });
  const html = Mustache.render(LAYOUT, {
    lang: locale,
    subject,
    storeName: vars.storeName,
    paragraphs,
    hasItems: vars.items.length > 0,
    itemsTitle: vars.action?.kind === "checkout" ? labels.cartTitle : labels.orderTitle,
    items: vars.items,
    total: vars.items.length > 0 ? vars.total : null,
    boleto: vars.boleto?.barcode ? vars.boleto : null,
    pix: vars.pix,
    discountCode: vars.discountCode || null,
    action,
    hasRecommendations: recommendations.length > 0,
    recommendations,
    footer,
    unsubscribeUrl: vars.unsubscribeUrl ?? null,
    openPixelUrl: vars.openPixelUrl ?? null,
    labels,
  }, {}, { escape: escapeHtml });

  const text: string[] = [body, ""];
  if (vars.items.length) {
    text.push(`${vars.action?.kind === "checkout" ? labels.cartTitle : labels.orderTitle}:`);
    for (const i of vars.items) text.push(`- ${i.title} × ${i.quantity}: ${i.price}`);
    if (vars.total) text.push(`${labels.total}: ${vars.total}`);
    text.push("");
  }
  if (vars.boleto?.barcode) text.push(`${labels.barcode}: ${vars.boleto.barcode}`, ...(vars.boleto.dueDate ? [`${labels.dueDate}: ${vars.boleto.dueDate}`] : []), "");
  if (vars.pix) text.push(`${labels.pixCode}:`, vars.pix.code, labels.pixHelp, "");
  if (vars.discountCode) text.push(`${labels.discountCode}: ${vars.discountCode}`, "");
  if (action) text.push(`${action.label}: ${action.url}`, "");
  if (recommendations.length) {
    text.push(`${labels.recommended}:`);
    for (const r of recommendations) text.push(`- ${r.title}${r.price ? ` (${r.price})` : ""}${r.url ? `: ${r.url}` : ""}`);
    text.push("");
  }
  text.push("--", footer);
  if (vars.unsubscribeUrl) text.push(`${labels.unsubscribe}: ${vars.unsubscribeUrl}`);
  return { subject, html, text: text.join("\n") };
}

/** Sample data for the editor's live preview and test sends. */
export function sampleVars(locale: FlowLocale, storeName: string, money: (minor: number) => string): MessageVars {
  const pt = locale === "pt-BR";
  return {
    firstName: pt ? "Maria" : "Mary",
    storeName,
    orderName: "#1001",
    total: money(18990),
    items: [
      { title: pt ? "Café especial 250 g" : "Specialty coffee 250 g", quantity: 2, price: money(7990), imageUrl: null },
      { title: pt ? "Caneca de cerâmica" : "Ceramic mug", quantity: 1, price: money(3010), imageUrl: null },
    ],
    action: { url: "https://example.com/checkout/recover", kind: "checkout" },
    boleto: null,
    pix: null,
    discountCode: "VOLTA-7K2Q",
    recommendations: [{ title: pt ? "Filtro de papel" : "Paper filters", price: money(1590), imageUrl: null, url: "https://example.com/products/filtro" }],
    segmentName: pt ? "Em risco" : "At Risk",
    unsubscribeUrl: "https://example.com/unsubscribe/sample",
    openPixelUrl: null,
  };
}
