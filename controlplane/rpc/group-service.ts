import type { ServiceImpl } from "@connectrpc/connect";
import { newId } from "../../common/ids.js";
import { formatDecimal } from "../../common/money.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { type GroupService, GroupStatus } from "../../gen/tollgate/admin/v1/group_pb.js";
import { recordTombstones } from "../config/versions.js";
import { ADMIN_ACTOR, type ServiceContext } from "../context.js";
import { touchAccounts } from "../db/accounts.js";
import { writeAuditEvent } from "../db/audit-events.js";
import type { Tx } from "../db/database.js";
import {
  deleteGroup,
  fallbackMap,
  findGroup,
  groupDependents,
  groupNameTaken,
  insertGroup,
  listGroups,
  updateGroup,
} from "../db/groups.js";
import { findFallbackCycle } from "../groups/fallback-cycle.js";
import { platformName } from "../stored-values.js";
import { auditJson, groupMessage } from "./admin-messages.js";
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from "./errors.js";
import { decodePageToken, pageSize, toPage } from "./paging.js";
import { nonNegativeDecimal, requireText } from "./validate.js";

function status(value: GroupStatus): "active" | "disabled" {
  if (value === GroupStatus.ACTIVE || value === GroupStatus.UNSPECIFIED) return "active";
  if (value === GroupStatus.DISABLED) return "disabled";
  throw invalidArgument("status", "unknown status");
}

const audit = (action: string, targetId: string, before?: unknown, after?: unknown) => ({
  actor: ADMIN_ACTOR,
  action: `GroupService/${action}`,
  targetType: "group",
  targetId,
  before,
  after,
});

/** A fallback must exist and must not lead back to the group. */
async function checkFallback(tx: Tx, groupId: string, fallbackId: string): Promise<void> {
  if (fallbackId === groupId) throw invalidArgument("fallback_group_id", "a group cannot fall back to itself");
  if (!(await findGroup(tx, fallbackId))) throw notFound("group", fallbackId, "fallback_group_id");
  const cycle = findFallbackCycle(groupId, fallbackId, await fallbackMap(tx));
  if (cycle) throw invalidArgument("fallback_group_id", `would make a fallback cycle (${cycle.join(" -> ")})`);
}

export function groupService(ctx: ServiceContext): ServiceImpl<typeof GroupService> {
  return {
    async createGroup(req) {
      const platform = platformName(req.platform);
      if (!platform) throw invalidArgument("platform", "is required");
      const values = {
        id: newId(),
        name: requireText("name", req.name),
        platform,
        rateMultiplier: formatDecimal(nonNegativeDecimal("rate_multiplier", req.rateMultiplier, "1")),
        claudeCodeOnly: req.claudeCodeOnly,
        fallbackGroupId: req.fallbackGroupId || null,
        status: status(req.status),
        description: req.description,
      };
      const group = await ctx.change(async (tx, version) => {
        if (await groupNameTaken(tx, values.name)) throw alreadyExists(`a group named "${values.name}" exists`);
        if (values.fallbackGroupId) await checkFallback(tx, values.id, values.fallbackGroupId);
        const group = groupMessage(await insertGroup(tx, { ...values, version }));
        await writeAuditEvent(tx, audit("CreateGroup", group.id, undefined, auditJson.group(group)));
        return group;
      });
      return { group };
    },

    async getGroup(req) {
      const row = await findGroup(ctx.db, req.id);
      if (!row) throw notFound("group", req.id);
      return { group: groupMessage(row) };
    },

    async listGroups(req) {
      const limit = pageSize(req.pageSize);
      const [after] = decodePageToken(req.pageToken, 1) ?? [];
      const platform = req.platform === Platform.UNSPECIFIED ? undefined : platformName(req.platform);
      const page = toPage(await listGroups(ctx.db, platform, limit + 1, after), limit, (g) => [g.id]);
      return { groups: page.items.map(groupMessage), nextPageToken: page.nextPageToken };
    },

    async updateGroup(req) {
      const patch = {
        name: req.name === undefined ? undefined : requireText("name", req.name),
        rateMultiplier:
          req.rateMultiplier === undefined
            ? undefined
            : formatDecimal(nonNegativeDecimal("rate_multiplier", req.rateMultiplier, "")),
        claudeCodeOnly: req.claudeCodeOnly,
        fallbackGroupId: req.fallbackGroupId === undefined ? undefined : req.fallbackGroupId || null,
        status: req.status === undefined ? undefined : status(req.status),
        description: req.description,
      };
      const group = await ctx.change(async (tx, version) => {
        const before = await findGroup(tx, req.id);
        if (!before) throw notFound("group", req.id);
        if (patch.name && (await groupNameTaken(tx, patch.name, req.id))) {
          throw alreadyExists(`a group named "${patch.name}" exists`);
        }
        if (patch.fallbackGroupId) await checkFallback(tx, req.id, patch.fallbackGroupId);
        const group = groupMessage(await updateGroup(tx, req.id, patch, version));
        await writeAuditEvent(
          tx,
          audit("UpdateGroup", group.id, auditJson.group(groupMessage(before)), auditJson.group(group)),
        );
        return group;
      });
      return { group };
    },

    async deleteGroup(req) {
      await ctx.change(async (tx, version) => {
        const before = await findGroup(tx, req.id);
        if (!before) throw notFound("group", req.id);
        const dependents = await groupDependents(tx, req.id);
        if (dependents.keys > 0) {
          throw failedPrecondition(
            `group "${before.name}" is used by ${dependents.keys} API key(s); move or delete them first`,
          );
        }
        if (dependents.fallbackOf.length > 0) {
          throw failedPrecondition(
            `group "${before.name}" is the fallback of ${dependents.fallbackOf.map((n) => `"${n}"`).join(", ")}`,
          );
        }
        const members = await deleteGroup(tx, req.id);
        await touchAccounts(tx, members, version);
        await recordTombstones(tx, version, "group", [req.id]);
        await writeAuditEvent(tx, audit("DeleteGroup", req.id, auditJson.group(groupMessage(before))));
      });
      return {};
    },
  };
}
