// The fields an import column can map to. Kept apart from plan.ts (csv-parse, node:crypto) so the
// import page's browser code can list them without bundling server-only dependencies.
export const IMPORT_FIELDS = [
  "customerCode", "email", "phone", "firstName", "lastName", "fullName", "taxId", "birthDate", "gender", "city", "province", "zip", "country",
  "acceptsEmailMarketing", "acceptsSmsMarketing", "tags",
  "orderId", "orderDate", "orderTotal", "channel", "paymentMethod", "productName", "sku", "quantity", "unitPrice", "lineTotal",
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Column index → field, or null for a column to ignore. */
export type ColumnMapping = (ImportField | null)[];
