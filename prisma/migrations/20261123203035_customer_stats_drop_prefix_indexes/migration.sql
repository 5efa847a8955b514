-- Each of these (storeId, x) indexes is a prefix of the (storeId, x, customerId) index the customers
-- list and segments added, which serves every query the shorter one did. Fewer indexes to write on
-- every CustomerStats update that cannot be HOT (a new order, a changed RFM segment).
-- DropIndex
DROP INDEX "CustomerStats_storeId_cluster_idx";

-- DropIndex
DROP INDEX "CustomerStats_storeId_lastOrderAt_idx";

-- DropIndex
DROP INDEX "CustomerStats_storeId_ordersCount_idx";

-- DropIndex
DROP INDEX "CustomerStats_storeId_revenueMinor_idx";

-- DropIndex
DROP INDEX "CustomerStats_storeId_rfmSegment_idx";
