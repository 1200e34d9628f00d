import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { AccountSchema, AccountStatus, AccountType } from "../../../../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../../../../gen/tollgate/admin/v1/common_pb.js";
import {
  accountFormOf,
  accountFormValid,
  createAccountRequest,
  emptyAccountForm,
  modelList,
  updateAccountRequest,
  wholeNumber,
} from "./account-form.js";

describe("createAccountRequest", () => {
  it.each([
    ["API key", { type: AccountType.APIKEY, apiKey: " sk-1 ", accessToken: "ignored" }, { apiKey: "sk-1" }],
    [
      "OAuth",
      { type: AccountType.OAUTH, apiKey: "ignored", accessToken: "at", refreshToken: " rt " },
      { accessToken: "at", refreshToken: "rt" },
    ],
    ["missing credentials still send the message", { type: AccountType.APIKEY }, {}],
    [
      "OAuth with the token's expiry",
      { type: AccountType.OAUTH, refreshToken: "rt", tokenExpiresAt: "2031-05-01T09:30" },
      { accessToken: "", refreshToken: "rt", expiresAt: timestampFromDate(new Date(2031, 4, 1, 9, 30)) },
    ],
  ])("%s credentials", (_name, change, expected) => {
    expect(createAccountRequest({ ...emptyAccountForm(), ...change }).credentials).toEqual(expected);
  });

  it("reads numbers, groups and models", () => {
    const request = createAccountRequest({
      ...emptyAccountForm(),
      name: " ag ",
      platform: Platform.ANTIGRAVITY,
      baseUrl: " http://127.0.0.1:9/ ",
      groupIds: ["g1"],
      priority: "5",
      concurrency: "",
      models: "claude-sonnet-4-5, gemini-2.5-pro\n\nclaude-sonnet-4-5",
      apiKey: "k",
    });
    expect(request).toMatchObject({
      name: "ag",
      platform: Platform.ANTIGRAVITY,
      baseUrl: "http://127.0.0.1:9/",
      groupIds: ["g1"],
      priority: 5,
      concurrency: 0,
      schedulable: true,
      models: ["claude-sonnet-4-5", "gemini-2.5-pro"],
    });
  });
});

describe("updateAccountRequest", () => {
  const account = create(AccountSchema, {
    id: "a1",
    name: "main",
    platform: Platform.ANTHROPIC,
    type: AccountType.APIKEY,
    groupIds: ["g1", "g2"],
    priority: 1,
    concurrency: 4,
    schedulable: true,
    status: AccountStatus.ACTIVE,
    models: ["claude-sonnet-4-5"],
  });
  it.each([
    ["nothing changed", {}, { id: "a1" }],
    ["group order does not matter", { groupIds: ["g2", "g1"] }, { id: "a1" }],
    ["a group removed", { groupIds: ["g1"] }, { id: "a1", groupIds: { values: ["g1"] } }],
    ["all models", { models: "" }, { id: "a1", models: { values: [] } }],
    ["new credentials", { apiKey: "sk-new" }, { id: "a1", credentials: { apiKey: "sk-new" } }],
    [
      "priority and status",
      { priority: "0", status: AccountStatus.DISABLED },
      { id: "a1", priority: 0, status: AccountStatus.DISABLED },
    ],
    ["clearing the base URL", { baseUrl: "" }, { id: "a1" }],
  ])("%s", (_name, change, expected) => {
    expect(updateAccountRequest(account, { ...accountFormOf(account), ...change })).toEqual(expected);
  });

  it("a base URL removed is sent empty (platform default)", () => {
    const withUrl = create(AccountSchema, { ...account, baseUrl: "https://relay.example" });
    expect(updateAccountRequest(withUrl, { ...accountFormOf(withUrl), baseUrl: " " })).toEqual({
      id: "a1",
      baseUrl: "",
    });
  });
});

describe("numbers and models", () => {
  it.each([
    ["", 0],
    ["12", 12],
    [" 3 ", 3],
    ["-1", undefined],
    ["1.5", undefined],
    ["x", undefined],
    ["2147483648", undefined],
  ])("wholeNumber(%j) = %s", (text, value) => {
    expect(wholeNumber(text)).toBe(value);
  });

  it("modelList splits on lines and commas, drops blanks and repeats", () => {
    expect(modelList("a,b\n b \n\n,a")).toEqual(["a", "b"]);
  });

  it("accountFormValid needs whole numbers and a real expiry date", () => {
    expect(accountFormValid({ ...emptyAccountForm(), priority: "-2" })).toBe(false);
    expect(accountFormValid({ ...emptyAccountForm(), concurrency: "3" })).toBe(true);
    expect(accountFormValid({ ...emptyAccountForm(), tokenExpiresAt: "2031-02-30T10:00" })).toBe(false);
  });
});
