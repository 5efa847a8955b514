// A small store for the admin UI's tests: customers with names, e-mails, phones, CPFs, places,
// tags and consent that vary predictably, orders for most of them, then the real customer stats
// and RFM rescoring (no score is written by hand).
import { Prisma } from "@prisma/client";
import type { Db } from "../../app/db/client.server.ts";
import { recomputeAllCustomerStats } from "../../app/core/ingest/customer-stats.server.ts";
import { rescoreRfm } from "../../app/core/analytics/rfm.server.ts";

const FIRST = ["Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabriela", "Hugo", "Isabel", "João"];
const LAST = ["Silva", "Souza", "Oliveira", "Santos", "Pereira", "Lima", "Costa"];

export interface SeededCustomer {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  taxId: string;
  country: string;
  province: string;
  tags: string[];
  acceptsEmailMarketing: boolean;
  orders: number;
}

/** `n` customers; customer k (0-based) has k % 5 counted orders, the newest k hours before `now`. */
export async function seedCustomers(db: Db, storeId: number, n: number, opts: { prefix?: string; now?: Date } = {}): Promise<SeededCustomer[]> {
  const prefix = opts.prefix ?? "c";
  const now = opts.now ?? new Date();
  const out: SeededCustomer[] = [];
  for (let k = 0; k < n; k++) {
    const c = {
      firstName: FIRST[k % FIRST.length]!,
      lastName: LAST[k % LAST.length]!,
      email: `${prefix}${k}@example.com`,
      phone: `+55 (11) 9${String(10_000_000 + k * 7919).slice(0, 4)}-${String(1000 + k).slice(-4)}`,
      // Different per store (the prefix's first letter), so one store's CPF never matches another's.
      taxId: String(10_000_000_000 + prefix.charCodeAt(0) * 100_000_000 + k * 1_234_567).slice(0, 11),
      country: k % 4 === 3 ? "US" : "BR",
      province: k % 4 === 3 ? "NY" : k % 2 ? "RJ" : "SP",
      tags: k % 3 === 0 ? ["vip", `lote-${k % 2}`] : [`lote-${k % 2}`],
      acceptsEmailMarketing: k % 2 === 0,
    };
    const row = await db.customer.create({ data: { storeId, platformId: `${prefix}-${k}`, ...c, city: c.province === "RJ" ? "Rio de Janeiro" : "São Paulo" } });
    const orders = k % 5;
    for (let j = 0; j < orders; j++) {
      const placedAt = new Date(now.getTime() - (k + 1) * 3_600_000 - j * 40 * 86_400_000);
      await db.$executeRaw(Prisma.sql`
        INSERT INTO "Order" ("storeId", "platformId", name, "customerId", currency, "totalMinor", "financialStatus", "paymentMethod", "placedAt", "updatedAt")
        VALUES (${storeId}, ${`${prefix}-${k}-${j}`}, ${`#${1000 + k * 10 + j}`}, ${row.id}, 'BRL', ${BigInt(1000 * (k + 1) + j * 100)}, 'paid', 'pix', (${placedAt.toISOString()}::timestamptz AT TIME ZONE 'UTC'), now())`);
    }
    out.push({ id: row.id, ...c, orders });
  }
  await recomputeAllCustomerStats(db, storeId);
  await rescoreRfm(db, storeId, undefined, now);
  return out;
}
