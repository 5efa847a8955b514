// GET /api/v1/stats?from&to — the store metrics of app/core/analytics/metrics.server.ts.
import { apiHandler, apiReadOnly } from "#app/core/api/handler.server.ts";
import { storeStats } from "#app/core/api/queries.server.ts";
import { statsQuery } from "#app/core/api/schemas.ts";

export const loader = apiHandler(({ services, principal, query }) => storeStats(services.db, principal.storeId, query(statsQuery)));
export const action = apiReadOnly;
