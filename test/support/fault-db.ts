// Database-side fault injection for tests: a "poison" row that PostgreSQL refuses every time it is
// written (a trigger raising an exception), standing in for any bug that makes one delivery fail
// on every attempt while the others must keep flowing.
import type { Db } from "../../app/db/client.server.ts";

export const POISON_MESSAGE = "poisoned row (fault injected by the test)";

/** Every INSERT or UPDATE of a Customer with this platform id fails. */
export async function poisonCustomer(db: Db, platformId: string): Promise<void> {
  await db.$executeRawUnsafe(`
    CREATE OR REPLACE FUNCTION fault_poison_customer() RETURNS trigger AS $$
    BEGIN
      IF NEW."platformId" IN (SELECT id FROM fault_poison_ids) THEN
        RAISE EXCEPTION '${POISON_MESSAGE}';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await db.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS fault_poison_ids (id text PRIMARY KEY)`);
  await db.$executeRawUnsafe(`INSERT INTO fault_poison_ids VALUES ($1) ON CONFLICT DO NOTHING`, platformId);
  await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS fault_poison_customer ON "Customer"`);
  await db.$executeRawUnsafe(`CREATE TRIGGER fault_poison_customer BEFORE INSERT OR UPDATE ON "Customer" FOR EACH ROW EXECUTE FUNCTION fault_poison_customer()`);
}

/** The fix is deployed: the row can be written again. */
export async function curePoison(db: Db): Promise<void> {
  await db.$executeRawUnsafe(`DELETE FROM fault_poison_ids`);
}
