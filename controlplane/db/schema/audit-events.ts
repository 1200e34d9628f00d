import { index, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt } from "./columns.js";

export const auditEvents = pgTable(
  "audit_events",
  {
    // UUIDv7: ordering by id is ordering by time, so paging needs no second key.
    id: text("id").primaryKey(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    beforeJson: text("before_json").notNull().default(""),
    afterJson: text("after_json").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [index("audit_events_target_idx").on(t.targetType, t.targetId), index("audit_events_actor_idx").on(t.actor)],
);
