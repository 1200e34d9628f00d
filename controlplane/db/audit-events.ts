import { and, desc, eq, gte, lt, type SQL } from "drizzle-orm";
import { newId } from "../../common/ids.js";
import type { Executor, Tx } from "./database.js";
import { auditEvents } from "./schema/index.js";

export type AuditEventRow = typeof auditEvents.$inferSelect;

export interface AuditEntry {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  /** Already masked: callers pass the admin view of an entity, which holds no secret. */
  before?: unknown;
  after?: unknown;
}

/** Written in the transaction of the change it describes, so the log and the data never disagree. */
export async function writeAuditEvent(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.insert(auditEvents).values({
    id: newId(),
    actor: entry.actor,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    beforeJson: entry.before === undefined ? "" : JSON.stringify(entry.before),
    afterJson: entry.after === undefined ? "" : JSON.stringify(entry.after),
  });
}

export interface AuditFilter {
  targetType: string;
  targetId: string;
  actor: string;
  startTime?: Date;
  endTime?: Date;
}

/** Newest first; `beforeId` continues a page (ids are time-ordered UUIDv7). */
export function listAuditEvents(ex: Executor, filter: AuditFilter, limit: number, beforeId?: string) {
  const conditions: SQL[] = [];
  if (filter.targetType) conditions.push(eq(auditEvents.targetType, filter.targetType));
  if (filter.targetId) conditions.push(eq(auditEvents.targetId, filter.targetId));
  if (filter.actor) conditions.push(eq(auditEvents.actor, filter.actor));
  if (filter.startTime) conditions.push(gte(auditEvents.createdAt, filter.startTime));
  if (filter.endTime) conditions.push(lt(auditEvents.createdAt, filter.endTime));
  if (beforeId) conditions.push(lt(auditEvents.id, beforeId));
  return ex
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(desc(auditEvents.id))
    .limit(limit);
}
