// GET /api/v1/customers — keyset-paginated customers of the token's store (filters: see openapi).
import { apiHandler, apiReadOnly } from "#app/core/api/handler.server.ts";
import { listCustomers } from "#app/core/api/queries.server.ts";
import { customerListQuery } from "#app/core/api/schemas.ts";

export const loader = apiHandler(({ services, principal, query }) => listCustomers(services.db, principal.storeId, query(customerListQuery)));
export const action = apiReadOnly;
