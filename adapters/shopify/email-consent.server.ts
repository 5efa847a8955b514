// Telling Shopify that a customer unsubscribed through our link. Until Shopify knows, its own
// emails (Shopify Email, other apps) keep mailing them, and every customers/update webhook we
// receive still says "subscribed" (our trigger keeps our copy unsubscribed meanwhile; see the
// Customer.emailUnsubscribedAt column).
import { ShopifyApiError, type AdminGraphqlClient } from "./admin-graphql.server.ts";
import { customerGid } from "./tag-push.server.ts";

export const EMAIL_CONSENT_UPDATE = `mutation caderninhoEmailConsentUpdate($input: CustomerEmailMarketingConsentUpdateInput!) {
  customerEmailMarketingConsentUpdate(input: $input) { customer { id } userErrors { field message code } }
}`;

interface ConsentPayload {
  customer: { id: string } | null;
  userErrors: { field?: string[] | null; message: string; code?: string | null }[];
}

/** The mutation's `input` variable: UNSUBSCRIBED, dated when they unsubscribed with us. */
export const emailUnsubscribeInput = (customerPlatformId: string, unsubscribedAt: Date) => ({
  customerId: customerGid(customerPlatformId),
  emailMarketingConsent: { marketingState: "UNSUBSCRIBED", consentUpdatedAt: unsubscribedAt.toISOString() },
});

/** Marks the customer UNSUBSCRIBED on Shopify. */
export async function pushEmailUnsubscribe(client: AdminGraphqlClient, customerPlatformId: string, unsubscribedAt: Date): Promise<void> {
  const input = emailUnsubscribeInput(customerPlatformId, unsubscribedAt);
  const res = await client.request<{ customerEmailMarketingConsentUpdate: ConsentPayload }>(EMAIL_CONSENT_UPDATE, { input }, { allowUserErrors: true });
  const payload = res.data.customerEmailMarketingConsentUpdate;
  if (payload.customer && payload.userErrors.length === 0) return;
  throw new ShopifyApiError(`customerEmailMarketingConsentUpdate refused: ${payload.userErrors.map((e) => `${e.code ?? "ERROR"} ${e.message}`).join("; ") || "no customer returned"}`, {
    status: 200,
    code: "USER_ERRORS",
    retryable: false,
    operation: "customerEmailMarketingConsentUpdate",
    userErrors: payload.userErrors.map((e) => ({ field: e.field ?? null, message: e.message, code: e.code ?? null })),
  });
}
