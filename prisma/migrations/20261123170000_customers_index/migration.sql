-- Customers index (admin UI): search, sorts and keyset pagination on a million customers.

-- Keyset order of the "order" sorts: (key, customerId) walked forwards or backwards.
CREATE INDEX "CustomerStats_storeId_lastOrderAt_customerId_idx" ON "CustomerStats"("storeId", "lastOrderAt", "customerId");
CREATE INDEX "CustomerStats_storeId_revenueMinor_customerId_idx" ON "CustomerStats"("storeId", "revenueMinor", "customerId");
CREATE INDEX "CustomerStats_storeId_ordersCount_customerId_idx" ON "CustomerStats"("storeId", "ordersCount", "customerId");

-- Tag filter (tags @> ARRAY[tag]).
CREATE INDEX "Customer_tags_idx" ON "Customer" USING GIN ("tags");

-- Not expressible in schema.prisma (expression indexes); the SQL that uses them is in
-- app/core/customers/search.server.ts (SEARCH_DOCUMENT, NAME_KEY) and must match them exactly.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Substring search over name, e-mail, CPF/CNPJ digits and phone digits.
CREATE INDEX "Customer_search_trgm_idx" ON "Customer" USING GIN ((lower(coalesce("firstName", '') || ' ' || coalesce("lastName", '') || ' ' || coalesce(email, '') || ' ' || coalesce("taxId", '') || ' ' || coalesce(regexp_replace(phone, '\D', '', 'g'), ''))) gin_trgm_ops);

-- Name sort.
CREATE INDEX "Customer_storeId_name_idx" ON "Customer"("storeId", (lower(btrim(coalesce("firstName", '') || ' ' || coalesce("lastName", '')))), id);
