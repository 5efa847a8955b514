-- CreateEnum
CREATE TYPE "PrivacyRequestKind" AS ENUM ('erasure', 'data_request');

-- CreateEnum
CREATE TYPE "PrivacyRequestStatus" AS ENUM ('pending', 'done', 'failed');

-- CreateTable
CREATE TABLE "PrivacyRequest" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "kind" "PrivacyRequestKind" NOT NULL,
    "source" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "customerId" INTEGER,
    "status" "PrivacyRequestStatus" NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "export" JSONB,
    "error" TEXT,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "PrivacyRequest_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateIndex
CREATE INDEX "PrivacyRequest_storeId_kind_requestedAt_idx" ON "PrivacyRequest"("storeId", "kind", "requestedAt");

-- CreateIndex
CREATE UNIQUE INDEX "PrivacyRequest_storeId_dedupeKey_key" ON "PrivacyRequest"("storeId", "dedupeKey");

-- AddForeignKey
ALTER TABLE "PrivacyRequest" ADD CONSTRAINT "PrivacyRequest_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;
