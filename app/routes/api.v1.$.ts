// Any other /api/v1 path: a JSON 404 rather than the admin's HTML page.
import { apiJson } from "#app/core/api/handler.server.ts";
import { errorBody } from "#app/core/api/errors.ts";

const unknown = ({ request }: { request: Request }) => apiJson(404, errorBody("not_found", `no endpoint ${new URL(request.url).pathname}`));
export const loader = unknown;
export const action = unknown;
