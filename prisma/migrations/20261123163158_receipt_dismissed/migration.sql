-- AlterTable
ALTER TABLE "WebhookReceipt" ADD COLUMN     "dismissedAt" TIMESTAMP(3);
