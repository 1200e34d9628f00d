import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { type Atto, parseDecimal } from "../../common/money.js";
import {
  ApiKeySchema,
  ConfigUpdateSchema,
  GroupSchema,
  ModelPriceSchema,
  ResourceSchema,
  UsageRecordSchema,
  UserSchema,
} from "../../gen/tollgate/plane/v1/plane_pb.js";
import { ConfigHolder } from "../config/config-holder.js";
import { GatewayError } from "../errors.js";
import { compileKey, compileUser } from "../policy/key-check.js";
import { SpendGuard, type SpendTicket } from "./spend-guard.js";

const usd = (text: string): Atto => parseDecimal(text) as Atto;

// Price: $1 per million input tokens, rate 2: a record of N million input tokens costs $2N.
function holderWith(quotaUsd: string, quotaUsedUsd: string, balanceUsd = "100") {
  const holder = new ConfigHolder();
  holder.apply(
    create(ConfigUpdateSchema, {
      version: 1n,
      snapshot: true,
      upserts: [
        { case: "user", value: create(UserSchema, { id: "u1", balanceUsd }) },
        { case: "group", value: create(GroupSchema, { id: "g1", rateMultiplier: "2" }) },
        {
          case: "apiKey",
          value: create(ApiKeySchema, { id: "k1", userId: "u1", groupId: "g1", quotaUsd, quotaUsedUsd }),
        },
        { case: "modelPrice", value: create(ModelPriceSchema, { model: "m", inputPerMtok: "1" }) },
      ].map((resource) => create(ResourceSchema, { resource: resource as never })),
    }),
  );
  return holder;
}

function caller(holder: ConfigHolder) {
  const key = holder.current.keysById.get("k1");
  const user = holder.current.users.get("u1");
  if (!key || !user) throw new Error("tenant missing");
  return [compileKey(key), compileUser(user)] as const;
}

const record = (id: string, millionTokens: number) =>
  create(UsageRecordSchema, {
    requestId: id,
    apiKeyId: "k1",
    userId: "u1",
    groupId: "g1",
    model: "m",
    inputTokens: BigInt(millionTokens * 1_000_000),
  });

const code = (result: SpendTicket | GatewayError) => (result instanceof GatewayError ? result.code : "admitted");

describe("SpendGuard", () => {
  it("counts spooled spend against the quota until it is acked", () => {
    const holder = holderWith("10", "5");
    const guard = new SpendGuard(holder);
    const [key, user] = caller(holder);
    guard.spooled(record("r1", 1));
    guard.spooled(record("r1", 1));
    expect(code(guard.admit(key, user, usd("1")))).toBe("admitted");
    guard.spooled(record("r2", 1.5));
    // 5 used + 2 + 3 pending = 10: nothing left.
    expect(code(guard.admit(key, user, usd("1")))).toBe("API_KEY_QUOTA_EXHAUSTED");
    guard.acked(["r2"]);
    expect(code(guard.admit(key, user, usd("1")))).toBe("admitted");
  });

  it("lets requests run side by side only while their ceilings fit in what remains", () => {
    const holder = holderWith("10", "5");
    const guard = new SpendGuard(holder);
    const [key, user] = caller(holder);
    const first = guard.admit(key, user, usd("2")) as SpendTicket;
    const second = guard.admit(key, user, usd("3")) as SpendTicket;
    expect(code(second)).toBe("admitted");
    expect(code(guard.admit(key, user, usd("0.5")))).toBe("CONCURRENCY_LIMIT");
    second.release();
    second.release();
    expect(code(guard.admit(key, user, undefined))).toBe("CONCURRENCY_LIMIT");
    first.release();
    const alone = guard.admit(key, user, undefined) as SpendTicket;
    expect(code(alone)).toBe("admitted");
    expect(code(guard.admit(key, user, usd("0.01")))).toBe("CONCURRENCY_LIMIT");
    alone.release();
  });

  it("keeps keys without a quota unrestricted, and still guards the user's balance", () => {
    const holder = holderWith("0", "1000", "3");
    const guard = new SpendGuard(holder);
    const [key, user] = caller(holder);
    const tickets = [1, 2, 3].map(() => guard.admit(key, user, usd("1")));
    expect(tickets.map(code)).toEqual(["admitted", "admitted", "admitted"]);
    expect(code(guard.admit(key, user, usd("1")))).toBe("CONCURRENCY_LIMIT");
    guard.spooled(record("r1", 1.5));
    expect(code(guard.admit(key, user, usd("0.1")))).toBe("INSUFFICIENT_BALANCE");
  });
});
