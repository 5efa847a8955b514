-- CreateTable
CREATE TABLE "StoreDailyStats" (
    "storeId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenueMinor" BIGINT NOT NULL DEFAULT 0,
    "checkoutsStarted" INTEGER NOT NULL DEFAULT 0,
    "checkoutsCompleted" INTEGER NOT NULL DEFAULT 0,
    "newCustomers" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StoreDailyStats_pkey" PRIMARY KEY ("storeId","day")
);

-- CreateTable
CREATE TABLE "DashboardDirtyDay" (
    "storeId" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "day" DATE NOT NULL,
    "part" SMALLINT NOT NULL,

    CONSTRAINT "DashboardDirtyDay_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "DashboardSnapshot" (
    "storeId" INTEGER NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,
    "asOfDay" TEXT NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "DashboardSnapshot_pkey" PRIMARY KEY ("storeId")
);

-- CreateIndex
CREATE INDEX "Checkout_storeId_startedAt_idx" ON "Checkout"("storeId", "startedAt");

-- AddForeignKey
ALTER TABLE "StoreDailyStats" ADD CONSTRAINT "StoreDailyStats_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DashboardSnapshot" ADD CONSTRAINT "DashboardSnapshot_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Customers per creation day (the dashboard's daily refresh reads one day of them at a time).
CREATE INDEX "Customer_storeId_created_idx" ON "Customer"("storeId", (coalesce("platformCreatedAt", "createdAt")));

-- Days touched by writes, in the store's time zone. Statement-level triggers with transition
-- tables: a bulk insert of 10,000 orders adds one mark per distinct day, not 10,000. An update
-- marks a day only when a column the daily totals read changed (old and new day). The marks are
-- recomputed from scratch by app/core/dashboard/daily.server.ts before the dashboard reads.
CREATE FUNCTION dashboard_mark_order_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
    SELECT DISTINCT n."storeId", 1::smallint, ((n."placedAt" AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date
    FROM new_rows n JOIN "Store" s ON s.id = n."storeId";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
    SELECT DISTINCT o."storeId", 1::smallint, ((o."placedAt" AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date
    FROM old_rows o JOIN "Store" s ON s.id = o."storeId";
  ELSE
    INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
    SELECT DISTINCT t."storeId", 1::smallint, ((t.at AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date
    FROM old_rows o JOIN new_rows n ON n."storeId" = o."storeId" AND n.id = o.id
    CROSS JOIN LATERAL (VALUES (o."storeId", o."placedAt"), (n."storeId", n."placedAt")) t("storeId", at)
    JOIN "Store" s ON s.id = t."storeId"
    WHERE (o."storeId", o."placedAt", o."totalMinor", o."refundedMinor", o."cancelledAt", o."deletedAt", o.test, o."financialStatus")
          IS DISTINCT FROM (n."storeId", n."placedAt", n."totalMinor", n."refundedMinor", n."cancelledAt", n."deletedAt", n.test, n."financialStatus");
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER dashboard_order_insert AFTER INSERT ON "Order" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_order_days();
CREATE TRIGGER dashboard_order_update AFTER UPDATE ON "Order" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_order_days();
CREATE TRIGGER dashboard_order_delete AFTER DELETE ON "Order" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_order_days();

CREATE FUNCTION dashboard_mark_checkout_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
    SELECT DISTINCT n."storeId", 2::smallint, ((n."startedAt" AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date
    FROM new_rows n JOIN "Store" s ON s.id = n."storeId";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
    SELECT DISTINCT o."storeId", 2::smallint, ((o."startedAt" AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date
    FROM old_rows o JOIN "Store" s ON s.id = o."storeId";
  ELSE
    INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
    SELECT DISTINCT t."storeId", 2::smallint, ((t.at AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date
    FROM old_rows o JOIN new_rows n ON n."storeId" = o."storeId" AND n.id = o.id
    CROSS JOIN LATERAL (VALUES (o."storeId", o."startedAt"), (n."storeId", n."startedAt")) t("storeId", at)
    JOIN "Store" s ON s.id = t."storeId"
    WHERE (o."storeId", o."startedAt", o."completedAt", o."completedOrderId")
          IS DISTINCT FROM (n."storeId", n."startedAt", n."completedAt", n."completedOrderId");
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER dashboard_checkout_insert AFTER INSERT ON "Checkout" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_checkout_days();
CREATE TRIGGER dashboard_checkout_update AFTER UPDATE ON "Checkout" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_checkout_days();
CREATE TRIGGER dashboard_checkout_delete AFTER DELETE ON "Checkout" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_checkout_days();

CREATE FUNCTION dashboard_mark_customer_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
    SELECT DISTINCT n."storeId", 3::smallint, ((coalesce(n."platformCreatedAt", n."createdAt") AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date
    FROM new_rows n JOIN "Store" s ON s.id = n."storeId";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
    SELECT DISTINCT o."storeId", 3::smallint, ((coalesce(o."platformCreatedAt", o."createdAt") AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date
    FROM old_rows o JOIN "Store" s ON s.id = o."storeId";
  ELSE
    INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
    SELECT DISTINCT t."storeId", 3::smallint, ((t.at AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date
    FROM old_rows o JOIN new_rows n ON n."storeId" = o."storeId" AND n.id = o.id
    CROSS JOIN LATERAL (VALUES (o."storeId", coalesce(o."platformCreatedAt", o."createdAt")), (n."storeId", coalesce(n."platformCreatedAt", n."createdAt"))) t("storeId", at)
    JOIN "Store" s ON s.id = t."storeId"
    WHERE (o."storeId", o."platformCreatedAt", o."createdAt", o."erasedAt")
          IS DISTINCT FROM (n."storeId", n."platformCreatedAt", n."createdAt", n."erasedAt");
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER dashboard_customer_insert AFTER INSERT ON "Customer" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_customer_days();
CREATE TRIGGER dashboard_customer_update AFTER UPDATE ON "Customer" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_customer_days();
CREATE TRIGGER dashboard_customer_delete AFTER DELETE ON "Customer" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboard_mark_customer_days();

-- A store's time zone moves every day boundary: its daily rows are rebuilt.
CREATE FUNCTION dashboard_store_timezone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "StoreDailyStats" WHERE "storeId" = NEW.id;
  INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
  SELECT NEW.id, x.part, x.day FROM (
    SELECT DISTINCT 1::smallint AS part, ((o."placedAt" AT TIME ZONE 'UTC') AT TIME ZONE NEW.timezone)::date AS day FROM "Order" o WHERE o."storeId" = NEW.id
    UNION ALL SELECT DISTINCT 2::smallint, ((c."startedAt" AT TIME ZONE 'UTC') AT TIME ZONE NEW.timezone)::date FROM "Checkout" c WHERE c."storeId" = NEW.id
    UNION ALL SELECT DISTINCT 3::smallint, ((coalesce(c."platformCreatedAt", c."createdAt") AT TIME ZONE 'UTC') AT TIME ZONE NEW.timezone)::date FROM "Customer" c WHERE c."storeId" = NEW.id) x;
  RETURN NULL;
END $$;
CREATE TRIGGER dashboard_store_timezone AFTER UPDATE OF timezone ON "Store" FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone) EXECUTE FUNCTION dashboard_store_timezone();

-- A deleted store's marks go with it (they have no foreign key, see the model).
CREATE FUNCTION dashboard_store_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "DashboardDirtyDay" WHERE "storeId" = OLD.id;
  RETURN NULL;
END $$;
CREATE TRIGGER dashboard_store_deleted AFTER DELETE ON "Store" FOR EACH ROW EXECUTE FUNCTION dashboard_store_deleted();

-- Existing data: every day with activity starts out dirty (the first dashboard view builds it).
INSERT INTO "DashboardDirtyDay" ("storeId", part, day)
SELECT s.id, x.part, x.day FROM "Store" s CROSS JOIN LATERAL (
  SELECT DISTINCT 1::smallint AS part, ((o."placedAt" AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date AS day FROM "Order" o WHERE o."storeId" = s.id
  UNION ALL SELECT DISTINCT 2::smallint, ((c."startedAt" AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date FROM "Checkout" c WHERE c."storeId" = s.id
  UNION ALL SELECT DISTINCT 3::smallint, ((coalesce(c."platformCreatedAt", c."createdAt") AT TIME ZONE 'UTC') AT TIME ZONE s.timezone)::date FROM "Customer" c WHERE c."storeId" = s.id) x;
