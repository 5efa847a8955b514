// GET /api/v1/segments/:id — one segment of the token's store.
import { apiHandler, apiReadOnly, pathId } from "#app/core/api/handler.server.ts";
import { getSegment } from "#app/core/api/queries.server.ts";

export const loader = apiHandler(({ services, principal, params }) => getSegment(services.db, principal.storeId, pathId(params.id, "segment")));
export const action = apiReadOnly;
