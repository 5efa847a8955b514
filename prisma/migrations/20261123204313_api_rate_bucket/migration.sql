-- CreateTable
CREATE TABLE "ApiRateBucket" (
    "storeId" INTEGER NOT NULL,
    "tokenId" INTEGER NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApiRateBucket_pkey" PRIMARY KEY ("storeId","tokenId")
);

-- AddForeignKey
ALTER TABLE "ApiRateBucket" ADD CONSTRAINT "ApiRateBucket_storeId_tokenId_fkey" FOREIGN KEY ("storeId", "tokenId") REFERENCES "ApiToken"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;
