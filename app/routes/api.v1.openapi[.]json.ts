// GET /api/v1/openapi.json — the API's OpenAPI 3.1 document (public: it describes, it grants nothing).
import { apiJson } from "#app/core/api/handler.server.ts";
import { openApiDocument } from "#app/core/api/openapi.ts";

export const loader = () => apiJson(200, openApiDocument(), { "Access-Control-Allow-Origin": "*" });
