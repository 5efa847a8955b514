// The admin's frame. Embedded in Shopify: App Bridge's navigation menu inside the Shopify admin.
// Standalone: the same pages in a Polaris Frame with its own navigation. Pages below don't care.
import { Outlet, useLoaderData, useLocation, useNavigation, useRouteError, useSubmit } from "@remix-run/react";
import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { AppProvider as PolarisAppProvider, Frame, Layout, Loading, Navigation, SkeletonBodyText, SkeletonDisplayText, SkeletonPage, Card, TopBar } from "@shopify/polaris";
import { AppProvider as ShopifyAppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { NavMenu } from "@shopify/app-bridge-react";
import { HomeIcon, PersonIcon, PersonSegmentIcon, EmailFollowUpIcon, RefreshIcon, SettingsIcon, StoreIcon, ImportIcon } from "@shopify/polaris-icons";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisVizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { Link } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { requireAdmin } from "#app/auth/admin.server.ts";
import { localeFromRequest } from "#app/auth/locale.server.ts";
import { polarisTranslations } from "#app/i18n/index.ts";
import { PolarisRemixLink } from "#app/components/polaris-link.tsx";
import { AdminFeedbackProvider } from "#app/components/admin-feedback.tsx";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "stylesheet", href: polarisVizStyles },
];

export const meta: MetaFunction = () => [{ title: "caderninho" }];

/** Pages that work before any store exists: connecting the first one. */
const STORELESS_PAGES = ["/app/woocommerce"];

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const base = { apiKey: context.services.config.SHOPIFY_API_KEY ?? "", locale: await localeFromRequest(context.services, request) };
  try {
    const { store, mode } = await requireAdmin(request, context);
    return { ...base, mode, store: { name: store.name, domain: store.domain, isDemo: store.isDemo } };
  } catch (e) {
    // Logged in, no store yet (requireAdmin sends such admins to /welcome): let them connect one.
    const noStore = e instanceof Response && e.headers.get("Location") === "/welcome";
    if (noStore && STORELESS_PAGES.includes(new URL(request.url).pathname)) return { ...base, mode: "standalone" as const, store: null };
    throw e;
  }
};

const NAV = [
  { key: "dashboard", url: "/app", icon: HomeIcon },
  { key: "customers", url: "/app/customers", icon: PersonIcon },
  { key: "segments", url: "/app/segments", icon: PersonSegmentIcon },
  { key: "flows", url: "/app/flows", icon: EmailFollowUpIcon },
  { key: "sync", url: "/app/sync", icon: RefreshIcon },
  { key: "import", url: "/app/import", icon: ImportIcon },
  { key: "settings", url: "/app/settings", icon: SettingsIcon },
  // Standalone only (Shopify admins never connect a WooCommerce store); label from the woocommerce block.
  { key: "woocommerce", url: "/app/woocommerce", icon: StoreIcon },
] as const;

export default function AdminFrame() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const i18n = polarisTranslations[data.locale];
  if (data.mode === "embedded") {
    return (
      <ShopifyAppProvider isEmbeddedApp apiKey={data.apiKey} i18n={i18n}>
        <NavMenu>
          <Link to="/app" rel="home">
            {t("nav.dashboard")}
          </Link>
          {NAV.slice(1, -1).map((n) => (
            <Link key={n.key} to={n.url}>
              {t(`nav.${n.key}`)}
            </Link>
          ))}
        </NavMenu>
        <AdminFeedbackProvider mode="embedded">
          <PageOrSkeleton />
        </AdminFeedbackProvider>
      </ShopifyAppProvider>
    );
  }
  return (
    <PolarisAppProvider i18n={i18n} linkComponent={PolarisRemixLink}>
      <StandaloneFrame storeName={data.store?.name ?? t("app.name")}>
        <AdminFeedbackProvider mode="standalone">
          <PageOrSkeleton />
        </AdminFeedbackProvider>
      </StandaloneFrame>
    </PolarisAppProvider>
  );
}

/**
 * While the next page's loader runs (navigation to another page, not a search or a form on the
 * same page), a skeleton of a page instead of the old page, and Polaris' loading bar standalone.
 */
function PageOrSkeleton() {
  const navigation = useNavigation();
  const location = useLocation();
  const { t } = useTranslation();
  const leaving = navigation.state === "loading" && navigation.location.pathname !== location.pathname;
  if (!leaving) return <Outlet />;
  return (
    <SkeletonPage title={t("common.loading")} primaryAction>
      <Layout>
        <Layout.Section>
          <Card>
            <SkeletonDisplayText size="small" />
            <SkeletonBodyText lines={4} />
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <SkeletonBodyText lines={8} />
          </Card>
        </Layout.Section>
      </Layout>
    </SkeletonPage>
  );
}

function StandaloneFrame({ storeName, children }: { storeName: string; children: React.ReactNode }) {
  const { t } = useTranslation();
  const location = useLocation();
  const submit = useSubmit();
  const nav = useNavigation();
  const [mobileNav, setMobileNav] = useState(false);
  const [userMenuOpen, setUserMenuOpen] = useState(false);
  const topBar = (
    <TopBar
      showNavigationToggle
      onNavigationToggle={() => setMobileNav((v) => !v)}
      userMenu={
        <TopBar.UserMenu
          name={storeName}
          detail={t("dashboard.store")}
          initials={storeName.trim().charAt(0).toUpperCase() || "C"}
          open={userMenuOpen}
          onToggle={() => setUserMenuOpen((v) => !v)}
          actions={[{ items: [{ content: t("nav.logout"), onAction: () => submit(null, { method: "post", action: "/logout" }) }] }]}
        />
      }
    />
  );
  const navigation = (
    <Navigation location={location.pathname}>
      <Navigation.Section
        title={t("app.name")}
        items={NAV.map((n) => ({
          url: n.url,
          label: t(n.key === "woocommerce" ? "woocommerce.nav" : `nav.${n.key}`),
          icon: n.icon,
          exactMatch: n.url === "/app",
        }))}
      />
    </Navigation>
  );
  return (
    <Frame topBar={topBar} navigation={navigation} showMobileNavigation={mobileNav} onNavigationDismiss={() => setMobileNav(false)}>
      {nav.state === "loading" ? <Loading /> : null}
      {children}
    </Frame>
  );
}

// Shopify needs its own headers and error handling for embedded document requests.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
