import type { LoaderFunctionArgs } from "@remix-run/node";

export const loader = async ({ context }: LoaderFunctionArgs) => {
  await context.services.db.$queryRaw`SELECT 1`;
  return Response.json({ ok: true });
};
