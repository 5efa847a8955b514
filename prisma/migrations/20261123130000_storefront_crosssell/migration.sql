-- AlterTable
ALTER TABLE "Store" ADD COLUMN     "crossSellMinedAt" TIMESTAMP(3),
ADD COLUMN     "publicToken" TEXT NOT NULL DEFAULT replace((gen_random_uuid())::text, '-'::text, ''::text);

-- CreateTable
CREATE TABLE "ProductPopularity" (
    "storeId" INTEGER NOT NULL,
    "productId" TEXT NOT NULL,
    "orders" INTEGER NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProductPopularity_pkey" PRIMARY KEY ("storeId","productId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Store_publicToken_key" ON "Store"("publicToken");

-- AddForeignKey
ALTER TABLE "ProductPopularity" ADD CONSTRAINT "ProductPopularity_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;
