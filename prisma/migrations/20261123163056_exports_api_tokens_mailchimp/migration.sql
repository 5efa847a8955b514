-- CreateTable
CREATE TABLE "ApiToken" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "MailchimpConnection" (
    "storeId" INTEGER NOT NULL,
    "apiKey" TEXT NOT NULL,
    "server" TEXT NOT NULL,
    "listId" TEXT,
    "listName" TEXT,
    "segmentIds" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "lastSyncedAt" TIMESTAMP(3),
    "lastReport" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MailchimpConnection_pkey" PRIMARY KEY ("storeId")
);

-- CreateTable
CREATE TABLE "MailchimpMember" (
    "storeId" INTEGER NOT NULL,
    "customerId" INTEGER NOT NULL,
    "listId" TEXT NOT NULL,
    "subscriberHash" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "mergeHash" TEXT NOT NULL,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "syncedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MailchimpMember_pkey" PRIMARY KEY ("storeId","customerId")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MailchimpConnection" ADD CONSTRAINT "MailchimpConnection_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MailchimpMember" ADD CONSTRAINT "MailchimpMember_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MailchimpMember" ADD CONSTRAINT "MailchimpMember_storeId_customerId_fkey" FOREIGN KEY ("storeId", "customerId") REFERENCES "Customer"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;
