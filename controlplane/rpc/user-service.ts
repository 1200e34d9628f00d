import type { ServiceImpl } from "@connectrpc/connect";
import { newId } from "../../common/ids.js";
import { formatDecimal } from "../../common/money.js";
import { type UserService, UserStatus } from "../../gen/tollgate/admin/v1/user_pb.js";
import { recordTombstones } from "../config/versions.js";
import { ADMIN_ACTOR, type ServiceContext } from "../context.js";
import { writeAuditEvent } from "../db/audit-events.js";
import { addToBalance, deleteUser, emailTaken, findUser, insertUser, listUsers, updateUser } from "../db/users.js";
import { auditJson, userMessage } from "./admin-messages.js";
import { alreadyExists, invalidArgument, notFound } from "./errors.js";
import { decodePageToken, pageSize, toPage } from "./paging.js";
import { nonNegativeDecimal, nonNegativeInt, requireText, signedDecimal } from "./validate.js";

const EMAIL = /^[^\s@]+@[^\s@]+$/;

function email(value: string): string {
  const text = requireText("email", value);
  if (!EMAIL.test(text)) throw invalidArgument("email", `"${text}" is not an email address`);
  return text;
}

function status(value: UserStatus, field = "status"): "active" | "disabled" {
  if (value === UserStatus.ACTIVE || value === UserStatus.UNSPECIFIED) return "active";
  if (value === UserStatus.DISABLED) return "disabled";
  throw invalidArgument(field, "unknown status");
}

const audit = (action: string, targetId: string, before?: unknown, after?: unknown) => ({
  actor: ADMIN_ACTOR,
  action: `UserService/${action}`,
  targetType: "user",
  targetId,
  before,
  after,
});

export function userService(ctx: ServiceContext): ServiceImpl<typeof UserService> {
  return {
    async createUser(req) {
      const values = {
        id: newId(),
        email: email(req.email),
        name: req.name.trim(),
        balance: formatDecimal(nonNegativeDecimal("balance_usd", req.balanceUsd, "0")),
        concurrency: nonNegativeInt("concurrency", req.concurrency),
        status: status(req.status),
      };
      const user = await ctx.change(async (tx, version) => {
        if (await emailTaken(tx, values.email)) throw alreadyExists(`a user with email "${values.email}" exists`);
        const user = userMessage(await insertUser(tx, { ...values, version }));
        await writeAuditEvent(tx, audit("CreateUser", user.id, undefined, auditJson.user(user)));
        return user;
      });
      return { user };
    },

    async getUser(req) {
      const row = await findUser(ctx.db, req.id);
      if (!row) throw notFound("user", req.id);
      return { user: userMessage(row) };
    },

    async listUsers(req) {
      const limit = pageSize(req.pageSize);
      const [after] = decodePageToken(req.pageToken, 1) ?? [];
      const filter = {
        query: req.query.trim(),
        status: req.status === UserStatus.UNSPECIFIED ? undefined : status(req.status),
      };
      const page = toPage(await listUsers(ctx.db, filter, limit + 1, after), limit, (u) => [u.id]);
      return { users: page.items.map(userMessage), nextPageToken: page.nextPageToken };
    },

    async updateUser(req) {
      const patch = {
        email: req.email === undefined ? undefined : email(req.email),
        name: req.name?.trim(),
        status: req.status === undefined ? undefined : status(req.status),
        concurrency: req.concurrency === undefined ? undefined : nonNegativeInt("concurrency", req.concurrency),
      };
      const user = await ctx.change(async (tx, version) => {
        const before = await findUser(tx, req.id);
        if (!before) throw notFound("user", req.id);
        if (patch.email && (await emailTaken(tx, patch.email, req.id))) {
          throw alreadyExists(`a user with email "${patch.email}" exists`);
        }
        const user = userMessage(await updateUser(tx, req.id, patch, version));
        await writeAuditEvent(
          tx,
          audit("UpdateUser", user.id, auditJson.user(userMessage(before)), auditJson.user(user)),
        );
        return user;
      });
      return { user };
    },

    async deleteUser(req) {
      await ctx.change(async (tx, version) => {
        const before = await findUser(tx, req.id);
        if (!before) throw notFound("user", req.id);
        const keyIds = await deleteUser(tx, req.id);
        await recordTombstones(tx, version, "user", [req.id]);
        await recordTombstones(tx, version, "api_key", keyIds);
        await writeAuditEvent(tx, audit("DeleteUser", req.id, auditJson.user(userMessage(before))));
      });
      return {};
    },

    async adjustBalance(req) {
      const amount = signedDecimal("amount_usd", req.amountUsd);
      const reason = requireText("reason", req.reason);
      const user = await ctx.change(async (tx, version) => {
        const before = await findUser(tx, req.userId);
        if (!before) throw notFound("user", req.userId);
        const user = userMessage(await addToBalance(tx, req.userId, amount, version));
        await writeAuditEvent(
          tx,
          audit("AdjustBalance", user.id, auditJson.user(userMessage(before)), {
            ...(auditJson.user(user) as object),
            adjustment: { amountUsd: formatDecimal(amount), reason },
          }),
        );
        return user;
      });
      return { user };
    },
  };
}
