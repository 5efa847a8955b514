// The customer export as a stream: keyset pages of PAGE_SIZE customers (by id) read one at a time
// as the client consumes the response, so memory stays constant whatever the store's size and a
// slow download holds no transaction open. Erased customers are never exported.
import { Prisma } from "@prisma/client";
import { z } from "zod";
import type { Db } from "#app/db/client.server.ts";
import { createI18n, type Locale } from "#app/i18n/index.ts";
import { csvFormat, csvLines, EXPORT_COLUMNS, rowValues, UTF8_BOM, type CustomerExportRow } from "./customer-csv.ts";

export const PAGE_SIZE = 1000;

/** Query string of /app/export/customers.csv. */
export const exportQuerySchema = z.object({
  segment: z.coerce.number().int().positive().optional(),
  locale: z.enum(["pt-BR", "en"]).optional(),
  /** "email": only customers who accept email marketing ("sms": SMS); for lists meant for marketing. */
  consent: z.enum(["email", "sms"]).optional(),
});
export type ExportQuery = z.infer<typeof exportQuerySchema>;

export interface ExportScope {
  storeId: number;
  currency: string;
  segmentId?: number;
  consent?: "email" | "sms";
}

/** One page of customers after `afterId`, in id order. */
export async function exportPage(db: Db, scope: ExportScope, afterId: number, limit = PAGE_SIZE): Promise<CustomerExportRow[]> {
  const { storeId } = scope;
  const member = scope.segmentId
    ? Prisma.sql`JOIN "SegmentMember" m ON m."storeId" = c."storeId" AND m."customerId" = c.id AND m."segmentId" = ${scope.segmentId}`
    : Prisma.empty;
  const consent =
    scope.consent === "email" ? Prisma.sql`AND c."acceptsEmailMarketing"` : scope.consent === "sms" ? Prisma.sql`AND c."acceptsSmsMarketing"` : Prisma.empty;
  return db.$queryRaw<CustomerExportRow[]>`
    SELECT c.id, c."platformId", c.email, c.phone, c."firstName", c."lastName", c."taxId", c."birthDate", c.gender, c.locale,
      c.city, c.province, c.zip, c.country, c."acceptsEmailMarketing", c."acceptsSmsMarketing", c."consentUpdatedAt",
      s."ordersCount", s."revenueMinor", s."avgOrderMinor", s."firstOrderAt", s."lastOrderAt", s."rfmSegment",
      s."rScore", s."fScore", s."mScore", s.cluster, s."predictedClvMinor", s."churnRisk", c.tags, c."platformCreatedAt"
    FROM "Customer" c ${member}
    LEFT JOIN "CustomerStats" s ON s."storeId" = c."storeId" AND s."customerId" = c.id
    WHERE c."storeId" = ${storeId} AND c."erasedAt" IS NULL AND c.id > ${afterId} ${consent}
    ORDER BY c.id LIMIT ${limit}`;
}

/** The CSV as a byte stream: BOM + header line, then one chunk per page, pulled on demand. */
export function customerCsvStream(db: Db, scope: ExportScope, locale: Locale, pageSize = PAGE_SIZE): ReadableStream<Uint8Array> {
  const format = csvFormat(locale);
  const { t } = createI18n(locale);
  const labels = {
    yes: t("exports.csv.yes"),
    no: t("exports.csv.no"),
    segment: (key: string) => t(`analytics.segments.${key}`, { defaultValue: key }),
    churn: (band: "low" | "medium" | "high") => t(`analytics.churn.${band}`),
  };
  const encoder = new TextEncoder();
  let afterId = 0;
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(UTF8_BOM + csvLines([EXPORT_COLUMNS.map((c) => t(`exports.csv.columns.${c}`))], format)));
          return;
        }
        const rows = await exportPage(db, scope, afterId, pageSize);
        if (rows.length) {
          afterId = rows[rows.length - 1]!.id;
          controller.enqueue(encoder.encode(csvLines(rows.map((r) => rowValues(r, scope.currency, format, labels)), format)));
        }
        if (rows.length < pageSize) controller.close();
      },
    },
    // One page in flight at most: the database is read only as fast as the client downloads.
    { highWaterMark: 1 },
  );
}
