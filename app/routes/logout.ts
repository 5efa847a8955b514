import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { standaloneSessions } from "#app/auth/standalone.server.ts";

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const storage = standaloneSessions(context.services);
  const session = await storage.getSession(request.headers.get("Cookie"));
  return redirect("/login", { headers: { "Set-Cookie": await storage.destroySession(session) } });
};
