// Await a promise that must reject with a ShopifyApiError and return that error for assertions.
import { ShopifyApiError } from "../../adapters/shopify/admin-graphql.server.ts";

export async function rejection(promise: Promise<unknown>): Promise<ShopifyApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ShopifyApiError) return error;
    throw error;
  }
  throw new Error("expected a ShopifyApiError");
}
