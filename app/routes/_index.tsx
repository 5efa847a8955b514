import { redirect, type LoaderFunctionArgs } from "@remix-run/node";

// Shopify opens the app at its application_url with shop/host parameters: keep them.
export const loader = ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  return redirect(`/app${url.search}`);
};
