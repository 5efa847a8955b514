-- AlterTable
ALTER TABLE "CustomerStats" ADD COLUMN     "channelMix" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "favouriteCategories" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "favouriteProducts" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "predictedNextOrderAt" TIMESTAMP(3),
ADD COLUMN     "purchaseDays" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "CustomerStats_storeId_cluster_idx" ON "CustomerStats"("storeId", "cluster");
