// GET /api/v1/customers/:id — one customer of the token's store (404 for any other store's id).
import { apiHandler, apiReadOnly, pathId } from "#app/core/api/handler.server.ts";
import { getCustomer } from "#app/core/api/queries.server.ts";

export const loader = apiHandler(({ services, principal, params }) => getCustomer(services.db, principal.storeId, pathId(params.id, "customer")));
export const action = apiReadOnly;
