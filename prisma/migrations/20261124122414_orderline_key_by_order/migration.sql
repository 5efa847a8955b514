-- Fewer index entries per order written (bulk backfill, webhooks):
-- - Order (storeId, paymentMethod, financialStatus): read by no query (the segments' payment-method
--   filter uses its own partial index, Order_segment_payment_idx).
-- - OrderLine's key leads with its order, (storeId, orderId, id): every read of lines is by order
--   (profile, cross-sell, customer stats, the cascade from Order) and the key now serves them, so the
--   separate (storeId, orderId) index goes. Lines are never looked up by (storeId, id).
-- Prisma's warning: the primary key is dropped and re-added in one statement (one transaction).
-- DropIndex
DROP INDEX "Order_storeId_paymentMethod_financialStatus_idx";

-- DropIndex
DROP INDEX "OrderLine_storeId_orderId_idx";

-- AlterTable
ALTER TABLE "OrderLine" DROP CONSTRAINT "OrderLine_pkey",
ADD CONSTRAINT "OrderLine_pkey" PRIMARY KEY ("storeId", "orderId", "id");
