// GET /api/v1/segments — the store's segments.
import { apiHandler, apiReadOnly } from "#app/core/api/handler.server.ts";
import { listSegments } from "#app/core/api/queries.server.ts";

export const loader = apiHandler(({ services, principal }) => listSegments(services.db, principal.storeId));
export const action = apiReadOnly;
