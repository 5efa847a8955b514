// Standalone installation with no store yet (demo switched off): say what to do next.
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppProvider, Card, EmptyState, Page } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { localeFromRequest } from "#app/auth/locale.server.ts";
import { polarisTranslations } from "#app/i18n/index.ts";
import { useTranslation } from "react-i18next";
import { requireStandaloneLogin } from "#app/auth/standalone.server.ts";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  await requireStandaloneLogin(context.services, request);
  return { locale: await localeFromRequest(context.services, request) };
};

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export default function Welcome() {
  const { t } = useTranslation();
  const { locale } = useLoaderData<typeof loader>();
  return (
    <AppProvider i18n={polarisTranslations[locale]}>
    <Page title={t("app.name")}>
      <Card>
        <EmptyState
          heading={t("welcome.title")}
          action={{ content: t("woocommerce.title"), url: "/app/woocommerce" }}
          image="https://cdn.shopify.com/s/files/1/0262/4071/2726/files/emptystate-files.png"
        >
          <p>{t("welcome.body")}</p>
        </EmptyState>
      </Card>
    </Page>
    </AppProvider>
  );
}
