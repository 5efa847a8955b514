-- CreateEnum
CREATE TYPE "Platform" AS ENUM ('shopify', 'woocommerce');

-- CreateEnum
CREATE TYPE "SalesChannel" AS ENUM ('web', 'pos', 'draft', 'marketplace', 'other');

-- CreateEnum
CREATE TYPE "PaymentMethod" AS ENUM ('card', 'boleto', 'pix', 'other');

-- CreateEnum
CREATE TYPE "FinancialStatus" AS ENUM ('pending', 'authorized', 'paid', 'partially_paid', 'partially_refunded', 'refunded', 'voided', 'unknown');

-- CreateEnum
CREATE TYPE "PaymentStatus" AS ENUM ('pending', 'paid', 'expired', 'failed', 'refunded', 'cancelled');

-- CreateEnum
CREATE TYPE "ReceiptStatus" AS ENUM ('received', 'processed', 'skipped', 'failed');

-- CreateEnum
CREATE TYPE "SyncKind" AS ENUM ('backfill', 'reconcile', 'tag_push', 'rescore');

-- CreateEnum
CREATE TYPE "SyncStatus" AS ENUM ('queued', 'running', 'done', 'failed');

-- CreateEnum
CREATE TYPE "SegmentKind" AS ENUM ('custom', 'rfm', 'cluster');

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('queued', 'sending', 'sent', 'failed', 'cancelled', 'suppressed');

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Store" (
    "id" SERIAL NOT NULL,
    "platform" "Platform" NOT NULL,
    "domain" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'BRL',
    "timezone" TEXT NOT NULL DEFAULT 'America/Sao_Paulo',
    "locale" TEXT NOT NULL DEFAULT 'pt-BR',
    "country" TEXT,
    "credentials" TEXT,
    "isDemo" BOOLEAN NOT NULL DEFAULT false,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "lastSyncedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Store_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Customer" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "platformId" TEXT NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "city" TEXT,
    "province" TEXT,
    "country" TEXT,
    "zip" TEXT,
    "addresses" JSONB NOT NULL DEFAULT '[]',
    "birthDate" DATE,
    "gender" TEXT,
    "taxId" TEXT,
    "locale" TEXT,
    "acceptsEmailMarketing" BOOLEAN NOT NULL DEFAULT false,
    "acceptsSmsMarketing" BOOLEAN NOT NULL DEFAULT false,
    "consentUpdatedAt" TIMESTAMP(3),
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "note" TEXT,
    "platformCreatedAt" TIMESTAMP(3),
    "platformUpdatedAt" TIMESTAMP(3),
    "erasedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "Product" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "platformId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "handle" TEXT,
    "vendor" TEXT,
    "category" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "collections" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "status" TEXT NOT NULL DEFAULT 'active',
    "imageUrl" TEXT,
    "priceMinor" BIGINT,
    "currency" TEXT,
    "variants" JSONB NOT NULL DEFAULT '[]',
    "inStock" BOOLEAN NOT NULL DEFAULT true,
    "platformUpdatedAt" TIMESTAMP(3),
    "deletedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Product_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "Order" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "platformId" TEXT NOT NULL,
    "name" TEXT,
    "customerId" INTEGER,
    "email" TEXT,
    "currency" TEXT NOT NULL,
    "subtotalMinor" BIGINT NOT NULL DEFAULT 0,
    "discountMinor" BIGINT NOT NULL DEFAULT 0,
    "shippingMinor" BIGINT NOT NULL DEFAULT 0,
    "taxMinor" BIGINT NOT NULL DEFAULT 0,
    "totalMinor" BIGINT NOT NULL,
    "refundedMinor" BIGINT NOT NULL DEFAULT 0,
    "financialStatus" "FinancialStatus" NOT NULL DEFAULT 'unknown',
    "fulfillmentStatus" TEXT,
    "channel" "SalesChannel" NOT NULL DEFAULT 'web',
    "paymentMethod" "PaymentMethod" NOT NULL DEFAULT 'other',
    "gateways" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "landingSite" TEXT,
    "referringSite" TEXT,
    "utmSource" TEXT,
    "utmMedium" TEXT,
    "utmCampaign" TEXT,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "placedAt" TIMESTAMP(3) NOT NULL,
    "cancelledAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "platformUpdatedAt" TIMESTAMP(3),
    "deletedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "OrderLine" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "orderId" INTEGER NOT NULL,
    "platformId" TEXT,
    "productId" TEXT,
    "variantId" TEXT,
    "sku" TEXT,
    "title" TEXT NOT NULL,
    "category" TEXT,
    "quantity" INTEGER NOT NULL,
    "unitPriceMinor" BIGINT NOT NULL,
    "discountMinor" BIGINT NOT NULL DEFAULT 0,
    "totalMinor" BIGINT NOT NULL,

    CONSTRAINT "OrderLine_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "Payment" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "orderId" INTEGER NOT NULL,
    "platformId" TEXT NOT NULL,
    "method" "PaymentMethod" NOT NULL,
    "gateway" TEXT,
    "status" "PaymentStatus" NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "boletoUrl" TEXT,
    "boletoBarcode" TEXT,
    "pixCode" TEXT,
    "dueAt" TIMESTAMP(3),
    "paidAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Payment_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "Checkout" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "platformId" TEXT NOT NULL,
    "customerId" INTEGER,
    "email" TEXT,
    "phone" TEXT,
    "recoveryUrl" TEXT,
    "currency" TEXT NOT NULL,
    "totalMinor" BIGINT NOT NULL DEFAULT 0,
    "lines" JSONB NOT NULL DEFAULT '[]',
    "startedAt" TIMESTAMP(3) NOT NULL,
    "platformUpdatedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "completedOrderId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Checkout_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "CustomerStats" (
    "storeId" INTEGER NOT NULL,
    "customerId" INTEGER NOT NULL,
    "ordersCount" INTEGER NOT NULL DEFAULT 0,
    "revenueMinor" BIGINT NOT NULL DEFAULT 0,
    "refundedMinor" BIGINT NOT NULL DEFAULT 0,
    "firstOrderAt" TIMESTAMP(3),
    "lastOrderAt" TIMESTAMP(3),
    "avgOrderMinor" BIGINT NOT NULL DEFAULT 0,
    "avgDaysBetweenOrders" DOUBLE PRECISION,
    "rScore" INTEGER,
    "fScore" INTEGER,
    "mScore" INTEGER,
    "rfmSegment" TEXT,
    "cluster" INTEGER,
    "predictedClvMinor" BIGINT,
    "pAlive" DOUBLE PRECISION,
    "churnRisk" DOUBLE PRECISION,
    "shopifyRfmGroup" TEXT,
    "shopifyPredictedSpendTier" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerStats_pkey" PRIMARY KEY ("storeId","customerId")
);

-- CreateTable
CREATE TABLE "RfmRun" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "params" JSONB NOT NULL DEFAULT '{}',
    "customers" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RfmRun_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "RfmSnapshot" (
    "storeId" INTEGER NOT NULL,
    "runId" INTEGER NOT NULL,
    "customerId" INTEGER NOT NULL,
    "rScore" INTEGER NOT NULL,
    "fScore" INTEGER NOT NULL,
    "mScore" INTEGER NOT NULL,
    "segment" TEXT NOT NULL,

    CONSTRAINT "RfmSnapshot_pkey" PRIMARY KEY ("storeId","runId","customerId")
);

-- CreateTable
CREATE TABLE "Segment" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "SegmentKind" NOT NULL DEFAULT 'custom',
    "filter" JSONB NOT NULL,
    "tag" TEXT,
    "pushTags" BOOLEAN NOT NULL DEFAULT false,
    "memberCount" INTEGER NOT NULL DEFAULT 0,
    "refreshedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Segment_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "SegmentMember" (
    "storeId" INTEGER NOT NULL,
    "segmentId" INTEGER NOT NULL,
    "customerId" INTEGER NOT NULL,
    "joinedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SegmentMember_pkey" PRIMARY KEY ("storeId","segmentId","customerId")
);

-- CreateTable
CREATE TABLE "Flow" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "trigger" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Flow_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "FlowStep" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "flowId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "delayMinutes" INTEGER NOT NULL DEFAULT 0,
    "condition" JSONB,
    "channel" TEXT NOT NULL DEFAULT 'email',
    "content" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FlowStep_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "FlowEnrollment" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "flowId" INTEGER NOT NULL,
    "customerId" INTEGER NOT NULL,
    "triggerKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "nextStepPos" INTEGER NOT NULL DEFAULT 0,
    "stoppedAt" TIMESTAMP(3),
    "stopReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FlowEnrollment_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "Message" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "customerId" INTEGER,
    "flowId" INTEGER,
    "stepId" INTEGER,
    "idempotencyKey" TEXT NOT NULL,
    "channel" TEXT NOT NULL DEFAULT 'email',
    "to" TEXT NOT NULL,
    "subject" TEXT,
    "status" "MessageStatus" NOT NULL DEFAULT 'queued',
    "provider" TEXT,
    "providerMessageId" TEXT,
    "error" TEXT,
    "scheduledAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "openedAt" TIMESTAMP(3),
    "clickedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Message_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "Event" (
    "storeId" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "customerId" INTEGER,
    "type" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "WebhookReceipt" (
    "storeId" INTEGER NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "platform" "Platform" NOT NULL,
    "topic" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "resourceId" TEXT,
    "triggeredAt" TIMESTAMP(3),
    "body" TEXT,
    "status" "ReceiptStatus" NOT NULL DEFAULT 'received',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "WebhookReceipt_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateTable
CREATE TABLE "ProductPair" (
    "storeId" INTEGER NOT NULL,
    "productId" TEXT NOT NULL,
    "pairedId" TEXT NOT NULL,
    "pairCount" INTEGER NOT NULL,
    "support" DOUBLE PRECISION NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "lift" DOUBLE PRECISION NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProductPair_pkey" PRIMARY KEY ("storeId","productId","pairedId")
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "storeId" INTEGER NOT NULL,
    "id" SERIAL NOT NULL,
    "kind" "SyncKind" NOT NULL,
    "status" "SyncStatus" NOT NULL DEFAULT 'queued',
    "total" INTEGER,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "cursor" JSONB,
    "error" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SyncRun_pkey" PRIMARY KEY ("storeId","id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Store_platform_domain_key" ON "Store"("platform", "domain");

-- CreateIndex
CREATE INDEX "Customer_storeId_email_idx" ON "Customer"("storeId", "email");

-- CreateIndex
CREATE INDEX "Customer_storeId_province_city_idx" ON "Customer"("storeId", "province", "city");

-- CreateIndex
CREATE UNIQUE INDEX "Customer_storeId_platformId_key" ON "Customer"("storeId", "platformId");

-- CreateIndex
CREATE INDEX "Product_storeId_category_idx" ON "Product"("storeId", "category");

-- CreateIndex
CREATE UNIQUE INDEX "Product_storeId_platformId_key" ON "Product"("storeId", "platformId");

-- CreateIndex
CREATE INDEX "Order_storeId_customerId_placedAt_idx" ON "Order"("storeId", "customerId", "placedAt");

-- CreateIndex
CREATE INDEX "Order_storeId_placedAt_idx" ON "Order"("storeId", "placedAt");

-- CreateIndex
CREATE INDEX "Order_storeId_paymentMethod_financialStatus_idx" ON "Order"("storeId", "paymentMethod", "financialStatus");

-- CreateIndex
CREATE UNIQUE INDEX "Order_storeId_platformId_key" ON "Order"("storeId", "platformId");

-- CreateIndex
CREATE INDEX "OrderLine_storeId_orderId_idx" ON "OrderLine"("storeId", "orderId");

-- CreateIndex
CREATE INDEX "OrderLine_storeId_productId_idx" ON "OrderLine"("storeId", "productId");

-- CreateIndex
CREATE INDEX "Payment_storeId_status_method_dueAt_idx" ON "Payment"("storeId", "status", "method", "dueAt");

-- CreateIndex
CREATE INDEX "Payment_storeId_orderId_idx" ON "Payment"("storeId", "orderId");

-- CreateIndex
CREATE UNIQUE INDEX "Payment_storeId_platformId_key" ON "Payment"("storeId", "platformId");

-- CreateIndex
CREATE INDEX "Checkout_storeId_completedAt_platformUpdatedAt_idx" ON "Checkout"("storeId", "completedAt", "platformUpdatedAt");

-- CreateIndex
CREATE INDEX "Checkout_storeId_customerId_idx" ON "Checkout"("storeId", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "Checkout_storeId_platformId_key" ON "Checkout"("storeId", "platformId");

-- CreateIndex
CREATE INDEX "CustomerStats_storeId_rfmSegment_idx" ON "CustomerStats"("storeId", "rfmSegment");

-- CreateIndex
CREATE INDEX "CustomerStats_storeId_revenueMinor_idx" ON "CustomerStats"("storeId", "revenueMinor");

-- CreateIndex
CREATE INDEX "CustomerStats_storeId_lastOrderAt_idx" ON "CustomerStats"("storeId", "lastOrderAt");

-- CreateIndex
CREATE INDEX "CustomerStats_storeId_ordersCount_idx" ON "CustomerStats"("storeId", "ordersCount");

-- CreateIndex
CREATE INDEX "RfmRun_storeId_createdAt_idx" ON "RfmRun"("storeId", "createdAt");

-- CreateIndex
CREATE INDEX "RfmSnapshot_storeId_customerId_idx" ON "RfmSnapshot"("storeId", "customerId");

-- CreateIndex
CREATE INDEX "Segment_storeId_kind_idx" ON "Segment"("storeId", "kind");

-- CreateIndex
CREATE INDEX "SegmentMember_storeId_customerId_idx" ON "SegmentMember"("storeId", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "FlowStep_storeId_flowId_position_key" ON "FlowStep"("storeId", "flowId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "FlowEnrollment_storeId_flowId_customerId_triggerKey_key" ON "FlowEnrollment"("storeId", "flowId", "customerId", "triggerKey");

-- CreateIndex
CREATE INDEX "Message_storeId_customerId_idx" ON "Message"("storeId", "customerId");

-- CreateIndex
CREATE INDEX "Message_storeId_status_scheduledAt_idx" ON "Message"("storeId", "status", "scheduledAt");

-- CreateIndex
CREATE UNIQUE INDEX "Message_storeId_idempotencyKey_key" ON "Message"("storeId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "Event_storeId_customerId_occurredAt_idx" ON "Event"("storeId", "customerId", "occurredAt");

-- CreateIndex
CREATE INDEX "Event_storeId_type_occurredAt_idx" ON "Event"("storeId", "type", "occurredAt");

-- CreateIndex
CREATE INDEX "WebhookReceipt_status_receivedAt_idx" ON "WebhookReceipt"("status", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookReceipt_storeId_dedupeKey_key" ON "WebhookReceipt"("storeId", "dedupeKey");

-- CreateIndex
CREATE INDEX "ProductPair_storeId_productId_score_idx" ON "ProductPair"("storeId", "productId", "score");

-- CreateIndex
CREATE INDEX "SyncRun_storeId_kind_createdAt_idx" ON "SyncRun"("storeId", "kind", "createdAt");

-- AddForeignKey
ALTER TABLE "Customer" ADD CONSTRAINT "Customer_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Product" ADD CONSTRAINT "Product_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_storeId_customerId_fkey" FOREIGN KEY ("storeId", "customerId") REFERENCES "Customer"("storeId", "id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderLine" ADD CONSTRAINT "OrderLine_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderLine" ADD CONSTRAINT "OrderLine_storeId_orderId_fkey" FOREIGN KEY ("storeId", "orderId") REFERENCES "Order"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_storeId_orderId_fkey" FOREIGN KEY ("storeId", "orderId") REFERENCES "Order"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Checkout" ADD CONSTRAINT "Checkout_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Checkout" ADD CONSTRAINT "Checkout_storeId_customerId_fkey" FOREIGN KEY ("storeId", "customerId") REFERENCES "Customer"("storeId", "id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerStats" ADD CONSTRAINT "CustomerStats_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerStats" ADD CONSTRAINT "CustomerStats_storeId_customerId_fkey" FOREIGN KEY ("storeId", "customerId") REFERENCES "Customer"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RfmRun" ADD CONSTRAINT "RfmRun_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RfmSnapshot" ADD CONSTRAINT "RfmSnapshot_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RfmSnapshot" ADD CONSTRAINT "RfmSnapshot_storeId_runId_fkey" FOREIGN KEY ("storeId", "runId") REFERENCES "RfmRun"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RfmSnapshot" ADD CONSTRAINT "RfmSnapshot_storeId_customerId_fkey" FOREIGN KEY ("storeId", "customerId") REFERENCES "Customer"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Segment" ADD CONSTRAINT "Segment_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SegmentMember" ADD CONSTRAINT "SegmentMember_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SegmentMember" ADD CONSTRAINT "SegmentMember_storeId_segmentId_fkey" FOREIGN KEY ("storeId", "segmentId") REFERENCES "Segment"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SegmentMember" ADD CONSTRAINT "SegmentMember_storeId_customerId_fkey" FOREIGN KEY ("storeId", "customerId") REFERENCES "Customer"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Flow" ADD CONSTRAINT "Flow_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowStep" ADD CONSTRAINT "FlowStep_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowStep" ADD CONSTRAINT "FlowStep_storeId_flowId_fkey" FOREIGN KEY ("storeId", "flowId") REFERENCES "Flow"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowEnrollment" ADD CONSTRAINT "FlowEnrollment_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowEnrollment" ADD CONSTRAINT "FlowEnrollment_storeId_flowId_fkey" FOREIGN KEY ("storeId", "flowId") REFERENCES "Flow"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowEnrollment" ADD CONSTRAINT "FlowEnrollment_storeId_customerId_fkey" FOREIGN KEY ("storeId", "customerId") REFERENCES "Customer"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_storeId_customerId_fkey" FOREIGN KEY ("storeId", "customerId") REFERENCES "Customer"("storeId", "id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_storeId_customerId_fkey" FOREIGN KEY ("storeId", "customerId") REFERENCES "Customer"("storeId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookReceipt" ADD CONSTRAINT "WebhookReceipt_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductPair" ADD CONSTRAINT "ProductPair_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncRun" ADD CONSTRAINT "SyncRun_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;
