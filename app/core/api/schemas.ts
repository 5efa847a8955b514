// The REST API's request and response shapes, as zod schemas: handlers parse queries with them and
// the OpenAPI document (openapi.ts) is generated from them, so the two cannot drift apart. Money is
// integer minor units as a decimal string (BIGINT does not fit a JSON number) beside the currency.
import { z } from "zod";

const minor = z.string().regex(/^-?\d+$/).describe("Integer amount in the currency's minor units (cents), as a string");
const timestamp = z.iso.datetime().describe("ISO 8601, UTC");

export const customerSchema = z
  .object({
    id: z.number().int(),
    platformId: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    city: z.string().nullable(),
    province: z.string().nullable(),
    country: z.string().nullable(),
    zip: z.string().nullable(),
    taxId: z.string().nullable().describe("CPF/CNPJ digits where the platform provides them"),
    birthDate: z.iso.date().nullable(),
    acceptsEmailMarketing: z.boolean(),
    acceptsSmsMarketing: z.boolean(),
    tags: z.array(z.string()),
    createdAt: timestamp.nullable().describe("When the customer was created on the platform"),
    updatedAt: timestamp,
    stats: z.object({
      ordersCount: z.number().int(),
      revenueMinor: minor,
      averageOrderMinor: minor,
      currency: z.string(),
      firstOrderAt: timestamp.nullable(),
      lastOrderAt: timestamp.nullable(),
      rfmSegment: z.string().nullable(),
      rScore: z.number().int().nullable(),
      fScore: z.number().int().nullable(),
      mScore: z.number().int().nullable(),
      cluster: z.number().int().nullable(),
      predictedClvMinor: minor.nullable(),
      churnRisk: z.number().nullable().describe("P(no purchase in the next 90 days), 0–1"),
    }),
  });

export const pageInfoSchema = z.object({
  nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page"),
});

export const customerPageSchema = z.object({ data: z.array(customerSchema), page: pageInfoSchema });

export const segmentSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    kind: z.enum(["custom", "rfm", "cluster"]),
    tag: z.string().nullable(),
    memberCount: z.number().int(),
    refreshedAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  });

export const segmentListSchema = z.object({ data: z.array(segmentSchema) });

export const memberPageSchema = z
  .object({ data: z.array(z.object({ joinedAt: timestamp, customer: customerSchema })), page: pageInfoSchema });

export const statsSchema = z
  .object({
    currency: z.string(),
    period: z.object({ from: timestamp.nullable(), to: timestamp.nullable() }),
    orders: z.number().int(),
    buyers: z.number().int(),
    revenueMinor: minor,
    averageTicketMinor: minor,
    purchaseFrequency: z.number(),
    repeatPurchaseRate: z.number(),
    historicalLtvMinor: minor,
    checkoutConversion: z.object({ started: z.number().int(), completed: z.number().int(), rate: z.number().nullable() }),
    recoveredRevenue: z.object({ orders: z.number().int(), revenueMinor: minor }),
    revenueBySegment: z.array(z.object({ segment: z.string(), customers: z.number().int(), revenueMinor: minor })),
    spendHistogram: z.array(z.object({ fromMinor: z.number(), toMinor: z.number().nullable(), customers: z.number().int() })),
  });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  });

// ---- queries ---------------------------------------------------------------------------------

const limit = z.coerce.number().int().min(1).max(250).default(50);
const cursor = z.string().regex(/^\d+$/, "not a cursor from a previous page").optional();

export const customerListQuery = z.object({
  limit,
  cursor,
  email: z.string().trim().min(1).optional().describe("Exact email, case-insensitive"),
  updatedSince: z.iso.datetime({ offset: true }).optional().describe("Only customers changed at or after this instant"),
  segment: z.coerce.number().int().positive().optional().describe("Only members of this segment"),
  rfmSegment: z.string().regex(/^[a-z_]+$/).optional(),
  acceptsEmailMarketing: z.enum(["true", "false"]).optional(),
});

export const memberListQuery = z.object({ limit, cursor });

export const statsQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export const idParam = z.coerce.number().int().positive().max(2_147_483_647);
