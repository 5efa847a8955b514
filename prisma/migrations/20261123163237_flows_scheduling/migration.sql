-- AlterTable
ALTER TABLE "FlowEnrollment" ADD COLUMN     "context" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "nextRunAt" TIMESTAMP(3),
ADD COLUMN     "triggerAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "FlowStep" ADD COLUMN     "options" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "enrollmentId" INTEGER;

-- CreateTable
CREATE TABLE "FlowScanState" (
    "storeId" INTEGER NOT NULL,
    "lastEventId" BIGINT NOT NULL DEFAULT 0,
    "lastScanAt" TIMESTAMP(3),

    CONSTRAINT "FlowScanState_pkey" PRIMARY KEY ("storeId")
);

-- CreateIndex
CREATE INDEX "FlowEnrollment_storeId_flowId_status_idx" ON "FlowEnrollment"("storeId", "flowId", "status");

-- CreateIndex
CREATE INDEX "Message_storeId_flowId_sentAt_idx" ON "Message"("storeId", "flowId", "sentAt");

-- AddForeignKey
ALTER TABLE "FlowScanState" ADD CONSTRAINT "FlowScanState_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;
