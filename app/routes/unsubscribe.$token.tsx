// Public one-click unsubscribe. GET shows a confirm page in the customer's language; POST (our
// button, or a mail client's RFC 8058 "List-Unsubscribe=One-Click") records it. A token with a
// bad signature is a 400 and changes nothing.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { linkKey } from "#app/core/email/tokens.ts";
import { recordUnsubscribe, unsubscribeTarget } from "#app/core/email/unsubscribe.server.ts";
import { QUEUES } from "#app/jobs/queues.ts";
import type { EmailConsentJob } from "#app/jobs/shopify-email-consent.server.ts";
import { jobsWithin } from "#app/jobs/jobs-in-transaction.server.ts";

async function target(params: { token?: string }, context: LoaderFunctionArgs["context"]) {
  const found = await unsubscribeTarget(context.services.db, linkKey(context.services.secrets.sessionSecret), params.token ?? "");
  if (!found) throw new Response("Invalid unsubscribe link / Link de cancelamento inválido", { status: 400 });
  return found;
}

export const meta: MetaFunction = () => [{ name: "robots", content: "noindex" }];

export const loader = async ({ params, context }: LoaderFunctionArgs) => {
  const t = await target(params, context);
  return { email: t.email, storeName: t.storeName, locale: t.locale, subscribed: t.subscribed };
};

export const action = async ({ request, params, context }: ActionFunctionArgs) => {
  const t = await target(params, context);
  const form = await request.formData().catch(() => null);
  const oneClick = form?.get("List-Unsubscribe") === "One-Click";
  // The store must know too, or its own emails go on and its webhooks keep saying "subscribed":
  // the push is queued in the unsubscribe's own transaction.
  const job: EmailConsentJob = { storeId: t.storeId, customerId: t.customerId };
  await recordUnsubscribe(context.services.db, t, oneClick ? "one-click" : "page", new Date(), (tx) =>
    context.services.boss.send(QUEUES.shopifyEmailConsent, job, { db: jobsWithin(tx) }),
  );
  return { done: true };
};

export default function Unsubscribe() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const lng = data.locale;
  const vars = { lng, email: data.email, storeName: data.storeName };
  const done = result?.done || !data.subscribed;
  return (
    <main lang={lng} style={{ fontFamily: "system-ui, sans-serif", maxWidth: 520, margin: "64px auto", padding: 24, lineHeight: 1.5 }}>
      <h1 style={{ fontSize: 22 }}>{t("flows.unsubscribe.title", { lng })}</h1>
      {done ? (
        <p role="status">{t("flows.unsubscribe.done", vars)}</p>
      ) : (
        <Form method="post">
          <p>{t("flows.unsubscribe.confirm", vars)}</p>
          <button type="submit" style={{ fontSize: 16, padding: "10px 18px", cursor: "pointer" }}>
            {t("flows.unsubscribe.button", { lng })}
          </button>
        </Form>
      )}
      <p style={{ color: "#6d7175", fontSize: 14 }}>{t("flows.unsubscribe.note", { lng })}</p>
    </main>
  );
}
