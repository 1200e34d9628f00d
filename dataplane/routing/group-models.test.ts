import { describe, expect, it } from "vitest";
import { AccountStatus } from "../../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { groupModels } from "./group-models.js";

const active = AccountStatus.ACTIVE;

describe("groupModels", () => {
  it.each([
    ["no accounts", [], []],
    ["listed models", [{ platform: Platform.OPENAI, status: active, models: ["gpt-b", "gpt-a"] }], ["gpt-a", "gpt-b"]],
    [
      "union without duplicates",
      [
        { platform: Platform.OPENAI, status: active, models: ["gpt-a"] },
        { platform: Platform.OPENAI, status: active, models: ["gpt-a", "gpt-c"] },
      ],
      ["gpt-a", "gpt-c"],
    ],
    [
      "disabled accounts do not count",
      [{ platform: Platform.OPENAI, status: AccountStatus.DISABLED, models: ["gpt-a"] }],
      [],
    ],
  ])("%s", (_name, accounts, expected) => {
    expect(groupModels(accounts)).toEqual(expected);
  });

  it("falls back to the platform's defaults", () => {
    const models = groupModels([{ platform: Platform.GEMINI, status: active, models: [] }]);
    expect(models).toContain("gemini-2.5-pro");
    expect(models.every((m) => m.startsWith("gemini-"))).toBe(true);
  });
});
