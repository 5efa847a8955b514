// A page's error boundary: what went wrong in plain words, and what to do. 404 (another store's
// id, a deleted customer) says the thing does not exist here; anything else offers a reload.
import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { Banner, Page } from "@shopify/polaris";
import { useTranslation } from "react-i18next";

export function PageErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const notFound = status === 404;
  return (
    <Page title={notFound ? t("home.errors.notFoundTitle") : t("home.errors.title")} backAction={{ content: t("nav.dashboard"), url: "/app" }}>
      <Banner tone={notFound ? "warning" : "critical"} action={notFound ? undefined : { content: t("home.errors.reload"), onAction: () => window.location.reload() }}>
        <p id="page-error">{notFound ? t("home.errors.notFoundBody") : t("home.errors.body")}</p>
      </Banner>
    </Page>
  );
}
