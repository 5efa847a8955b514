// Standalone admin login (WooCommerce merchants and the demo). Embedded Shopify admins never see
// this page: Shopify authenticates them.
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type LinksFunction } from "@remix-run/node";
import { AppProvider, Banner, BlockStack, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { allowLoginAttempt, getStandaloneSession, passwordMatches, standaloneSessions } from "#app/auth/standalone.server.ts";
import { localeFromRequest } from "#app/auth/locale.server.ts";
import { polarisTranslations } from "#app/i18n/index.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const session = await getStandaloneSession(context.services, request);
  if (session.get("loggedIn")) throw redirect("/app");
  return json({ locale: await localeFromRequest(context.services, request) });
};

function safeNext(next: FormDataEntryValue | null): string {
  const s = typeof next === "string" ? next : "";
  return s.startsWith("/") && !s.startsWith("//") ? s : "/app";
}

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { services } = context;
  const client = context.clientAddress ?? "unknown";
  if (!allowLoginAttempt(client)) return json({ error: "tooMany" as const }, { status: 429 });
  const form = await request.formData();
  const password = String(form.get("password") ?? "");
  if (!passwordMatches(password, services.secrets.adminPassword)) {
    services.log.warn({ client }, "failed admin login");
    return json({ error: "wrong" as const }, { status: 401 });
  }
  const storage = standaloneSessions(services);
  const session = await storage.getSession(request.headers.get("Cookie"));
  session.set("loggedIn", true);
  return redirect(safeNext(new URL(request.url).searchParams.get("next")), {
    headers: { "Set-Cookie": await storage.commitSession(session) },
  });
};

export default function Login() {
  const { locale } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const [password, setPassword] = useState("");
  return (
    <AppProvider i18n={polarisTranslations[locale]}>
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingLg" as="h1">
                {t("login.title")}
              </Text>
              <Text as="p" tone="subdued">
                {t("login.help")}
              </Text>
              {result?.error ? (
                <Banner tone="critical">
                  <p>{t(`login.${result.error}`)}</p>
                </Banner>
              ) : null}
              <TextField
                label={t("login.password")}
                type="password"
                name="password"
                value={password}
                onChange={setPassword}
                autoComplete="current-password"
                autoFocus
              />
              <BlockStack inlineAlign="start">
                <Button submit variant="primary" loading={navigation.state === "submitting"}>
                  {t("login.submit")}
                </Button>
              </BlockStack>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </AppProvider>
  );
}
