import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { AuditService } from "../../gen/tollgate/admin/v1/audit_pb.js";
import type { ServiceContext } from "../context.js";
import { listAuditEvents } from "../db/audit-events.js";
import { auditEventMessage } from "./admin-messages.js";
import { decodePageToken, pageSize, toPage } from "./paging.js";

export function auditService(ctx: ServiceContext): ServiceImpl<typeof AuditService> {
  return {
    async listAuditEvents(req) {
      const limit = pageSize(req.pageSize);
      const [before] = decodePageToken(req.pageToken, 1) ?? [];
      const filter = {
        targetType: req.targetType,
        targetId: req.targetId,
        actor: req.actor,
        startTime: req.startTime ? timestampDate(req.startTime) : undefined,
        endTime: req.endTime ? timestampDate(req.endTime) : undefined,
      };
      const page = toPage(await listAuditEvents(ctx.db, filter, limit + 1, before), limit, (e) => [e.id]);
      return { events: page.items.map(auditEventMessage), nextPageToken: page.nextPageToken };
    },
  };
}
