// Which orders are purchases for cross-sell: the customer statistics' rule
// (app/core/ingest/customer-stats.server.ts): not cancelled, test or deleted, and money captured.
// Plain SQL text over an "Order" aliased `o` (no values in it).
export const COUNTED_ORDER_SQL = `o."cancelledAt" IS NULL AND o."deletedAt" IS NULL AND NOT o.test
  AND o."financialStatus" IN ('paid', 'partially_paid', 'partially_refunded', 'refunded', 'authorized')`;
