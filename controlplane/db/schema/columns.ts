import { bigint, numeric, timestamp } from "drizzle-orm/pg-core";

// Shared column shapes. Money is numeric(38,18) read as a decimal string (common/money.ts parses it);
// timestamps keep millisecond precision so a JS Date round-trips exactly (keyset paging compares them).
export const money = (name: string) => numeric(name, { precision: 38, scale: 18 });
export const instant = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: "date" });
export const createdAt = () => instant("created_at").notNull().defaultNow();
export const updatedAt = () => instant("updated_at").notNull().defaultNow();
// The global config version that last changed the row (controlplane/config/versions.ts).
export const configVersion = () => bigint("version", { mode: "number" }).notNull();
