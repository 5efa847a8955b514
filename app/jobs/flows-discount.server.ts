// Unique discount codes for a flow step, created through the store's platform: Shopify
// `discountCodeBasicCreate` (Admin GraphQL), WooCommerce `POST /wp-json/wc/v3/coupons`. The code is
// derived from the message's idempotency key, so a retried step asks for the same code and a
// "code already exists" answer means it was made the first time.
import { createHash } from "node:crypto";
import type { Store } from "@prisma/client";
import type { Services } from "#app/server/services.server.ts";
import { adminClientForStore } from "./shopify-backfill.server.ts";
import { wooClientForStore } from "./woocommerce-connection.server.ts";

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A readable code (no 0/O/1/I) that is the same for the same message key. */
export function discountCodeFor(messageKey: string, prefix = "CRM"): string {
  const h = createHash("sha256").update(messageKey).digest();
  let code = "";
  for (let i = 0; i < 8; i++) code += ALPHABET[h[i]! % ALPHABET.length];
  return `${prefix}-${code}`;
}

export interface DiscountRequest {
  code: string;
  percent: number;
  /** Customer's platform id: Shopify limits the code to this customer. */
  customerPlatformId?: string | null;
  customerEmail?: string | null;
  endsAt: Date;
  title: string;
}

export const DISCOUNT_CODE_BASIC_CREATE = `mutation DiscountCodeBasicCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`;

type Deps = Pick<Services, "db" | "log" | "config" | "secrets">;

export async function createPlatformDiscount(services: Deps, store: Store, req: DiscountRequest): Promise<string> {
  if (store.platform === "shopify") {
    const client = await adminClientForStore(services, store.id);
    const numericId = req.customerPlatformId && /^\d+$/.test(req.customerPlatformId) ? req.customerPlatformId : null;
    const res = await client.request<{ discountCodeBasicCreate: { codeDiscountNode: { id: string } | null; userErrors: { field: string[] | null; code: string | null; message: string }[] } }>(
      DISCOUNT_CODE_BASIC_CREATE,
      {
        basicCodeDiscount: {
          title: req.title,
          code: req.code,
          startsAt: new Date().toISOString(),
          endsAt: req.endsAt.toISOString(),
          usageLimit: 1,
          appliesOncePerCustomer: true,
          context: numericId ? { customers: { add: [`gid://shopify/Customer/${numericId}`] } } : { all: "ALL" },
          customerGets: { value: { percentage: req.percent / 100 }, items: { all: true } },
        },
      },
      { allowUserErrors: true },
    );
    const payload = res.data?.discountCodeBasicCreate;
    const errors = payload?.userErrors ?? [];
    // A retry of the same step: the code exists already, made by the first attempt.
    if (errors.length && !errors.every((e) => e.code === "TAKEN" || /unique|taken|already/i.test(e.message))) {
      throw new Error(`discountCodeBasicCreate: ${errors.map((e) => e.message).join("; ")}`);
    }
    return req.code;
  }
  const client = await wooClientForStore(services, store.id);
  try {
    await client.post("coupons", {
      code: req.code,
      discount_type: "percent",
      amount: String(req.percent),
      individual_use: true,
      usage_limit: 1,
      usage_limit_per_user: 1,
      date_expires_gmt: req.endsAt.toISOString().slice(0, 19),
      ...(req.customerEmail ? { email_restrictions: [req.customerEmail] } : {}),
      description: req.title,
    });
  } catch (e) {
    if (!/woocommerce_rest_coupon_code_already_exists|already exists/i.test((e as Error).message)) throw e;
  }
  return req.code;
}
