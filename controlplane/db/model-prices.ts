import { eq, sql } from "drizzle-orm";
import type { Executor, Tx } from "./database.js";
import { modelPrices } from "./schema/index.js";

export type ModelPriceRow = typeof modelPrices.$inferSelect;
export type NewModelPrice = typeof modelPrices.$inferInsert;

export function listPriceOverrides(ex: Executor): Promise<ModelPriceRow[]> {
  return ex.select().from(modelPrices);
}

export async function findPriceOverride(ex: Executor, model: string): Promise<ModelPriceRow | undefined> {
  const [row] = await ex.select().from(modelPrices).where(eq(modelPrices.model, model));
  return row;
}

export async function upsertPriceOverride(tx: Tx, values: NewModelPrice): Promise<ModelPriceRow> {
  const { model: _model, ...changes } = values;
  const [row] = await tx
    .insert(modelPrices)
    .values(values)
    .onConflictDoUpdate({ target: modelPrices.model, set: { ...changes, updatedAt: sql`now()` } })
    .returning();
  return row as ModelPriceRow;
}

export async function deletePriceOverride(tx: Tx, model: string): Promise<void> {
  await tx.delete(modelPrices).where(eq(modelPrices.model, model));
}
