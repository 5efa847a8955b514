-- AlterTable
ALTER TABLE "Segment" ADD COLUMN     "autoKey" TEXT,
ADD COLUMN     "nameKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Segment_storeId_autoKey_key" ON "Segment"("storeId", "autoKey");
