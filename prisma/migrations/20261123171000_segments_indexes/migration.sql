-- CreateIndex
CREATE INDEX "Customer_storeId_erasedAt_id_idx" ON "Customer"("storeId", "erasedAt", "id");

-- CreateIndex
CREATE INDEX "CustomerStats_storeId_rfmSegment_customerId_idx" ON "CustomerStats"("storeId", "rfmSegment", "customerId");

-- CreateIndex
CREATE INDEX "CustomerStats_storeId_cluster_customerId_idx" ON "CustomerStats"("storeId", "cluster", "customerId");
