// Job shopify.email-consent: after an unsubscribe through our link, tell the Shopify store. Runs
// only while the customer is still unsubscribed with us (a newer opt-in on the platform wins).
import type { AdminGraphqlClient } from "#adapters/shopify/admin-graphql.server.ts";
import { pushEmailUnsubscribe } from "#adapters/shopify/email-consent.server.ts";
import type { Services } from "#app/server/services.server.ts";
import { adminClientForStore } from "./shopify-backfill.server.ts";

export interface EmailConsentJob {
  storeId: number;
  customerId: number;
}

export type EmailConsentOutcome = "pushed" | "not-applicable" | "resubscribed";

export async function runEmailConsentPush(
  services: Pick<Services, "db" | "log" | "config" | "secrets">,
  job: EmailConsentJob,
  options: { client?: AdminGraphqlClient } = {},
): Promise<EmailConsentOutcome> {
  const { db, log } = services;
  const customer = await db.customer.findUnique({
    where: { storeId_id: { storeId: job.storeId, id: job.customerId } },
    select: { platformId: true, email: true, erasedAt: true, acceptsEmailMarketing: true, emailUnsubscribedAt: true, store: { select: { platform: true, isDemo: true, uninstalledAt: true } } },
  });
  // Shopify only; not for erased people (Shopify redacts them itself) or local-only customers.
  if (!customer || customer.store.platform !== "shopify" || customer.store.isDemo || customer.store.uninstalledAt || customer.erasedAt || !customer.email || !customer.emailUnsubscribedAt || !/^\d+$/.test(customer.platformId)) {
    return "not-applicable";
  }
  if (customer.acceptsEmailMarketing) return "resubscribed";
  const client = options.client ?? (await adminClientForStore(services, job.storeId));
  await pushEmailUnsubscribe(client, customer.platformId, customer.emailUnsubscribedAt);
  log.info({ storeId: job.storeId, customerId: job.customerId }, "unsubscribe pushed to Shopify");
  return "pushed";
}
