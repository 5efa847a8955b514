import { Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData, useRouteError, isRouteErrorResponse } from "@remix-run/react";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useMemo } from "react";
import { I18nextProvider } from "react-i18next";
import { createI18n } from "./i18n/index.ts";
import { localeFromRequest } from "./auth/locale.server.ts";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  return { locale: await localeFromRequest(context.services, request) };
};

export default function App() {
  const { locale } = useLoaderData<typeof loader>();
  const i18n = useMemo(() => createI18n(locale), [locale]);
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="icon" href="data:," />
        <link rel="preconnect" href="https://cdn.shopify.com/" />
        <link rel="stylesheet" href="https://cdn.shopify.com/static/fonts/inter/v4/styles.css" />
        <Meta />
        <Links />
      </head>
      <body>
        <I18nextProvider i18n={i18n}>
          <Outlet />
        </I18nextProvider>
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error instanceof Error ? error.message : "Unknown error";
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <title>caderninho: error</title>
        <Meta />
        <Links />
      </head>
      <body style={{ fontFamily: "system-ui, sans-serif", padding: 32 }}>
        <h1>Something went wrong / Algo deu errado</h1>
        <p>{message}</p>
        <Scripts />
      </body>
    </html>
  );
}
