// GET /api/v1/segments/:id/members — keyset-paginated members of one of the store's segments.
import { apiHandler, apiReadOnly, pathId } from "#app/core/api/handler.server.ts";
import { listSegmentMembers } from "#app/core/api/queries.server.ts";
import { memberListQuery } from "#app/core/api/schemas.ts";

export const loader = apiHandler(({ services, principal, params, query }) =>
  listSegmentMembers(services.db, principal.storeId, pathId(params.id, "segment"), query(memberListQuery)),
);
export const action = apiReadOnly;
