-- CreateIndex
CREATE INDEX "WebhookReceipt_storeId_resourceId_idx" ON "WebhookReceipt"("storeId", "resourceId");
