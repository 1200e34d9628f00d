import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { ApiKeySchema, ApiKeyStatus } from "../../../../gen/tollgate/admin/v1/api_key_pb.js";
import { toLocalInput } from "../../lib/dates.js";
import { createKeyRequest, emptyKeyForm, keyFormOf, keyFormValid, updateKeyRequest } from "./key-form.js";

const inMay = new Date(2031, 4, 1, 9, 30);
const key = create(ApiKeySchema, {
  id: "k1",
  userId: "u1",
  name: "laptop",
  groupId: "g1",
  status: ApiKeyStatus.ACTIVE,
  quotaUsd: "10",
  quotaUsedUsd: "2",
  expiresAt: timestampFromDate(inMay),
  ipWhitelist: ["10.0.0.0/8"],
  ipBlacklist: [],
});

describe("createKeyRequest", () => {
  it("sends the lists only when IP restriction is on, and no expiration when none is set", () => {
    const form = {
      ...emptyKeyForm(),
      name: " ci ",
      userId: "u1",
      groupId: "g1",
      ipWhitelist: "10.0.0.1",
      ipBlacklist: "10.0.0.2",
    };
    expect(createKeyRequest(form)).toEqual({
      userId: "u1",
      name: "ci",
      groupId: "g1",
      quotaUsd: "",
      expiresAt: undefined,
      ipWhitelist: [],
      ipBlacklist: [],
    });
    const restricted = createKeyRequest({
      ...form,
      ipRestricted: true,
      ipWhitelist: "10.0.0.1\n\n 2001:db8::/32 ",
      expiresAt: toLocalInput(inMay),
    });
    expect(restricted.ipWhitelist).toEqual(["10.0.0.1", "2001:db8::/32"]);
    expect(restricted.ipBlacklist).toEqual(["10.0.0.2"]);
    expect(timestampDate(restricted.expiresAt as never).getTime()).toBe(inMay.getTime());
  });
});

describe("keyFormValid", () => {
  it.each([
    [{}, true],
    [{ ipRestricted: true, ipWhitelist: "10.0.0.0/33" }, false],
    [{ ipRestricted: false, ipWhitelist: "10.0.0.0/33" }, true],
    [{ ipRestricted: true, ipBlacklist: "::1\nnope" }, false],
    [{ expiresAt: "2031-02-30T10:00" }, false],
    [{ expiresAt: "2031-02-03T10:00" }, true],
  ])("%j -> %s", (change, valid) => {
    expect(keyFormValid({ ...emptyKeyForm(), ...change })).toBe(valid);
  });
});

describe("updateKeyRequest", () => {
  it.each([
    ["nothing changed sends only the id", {}, { id: "k1" }, false],
    ["a rename", { name: "desk" }, { id: "k1", name: "desk" }, false],
    ["an empty quota means unlimited", { quotaUsd: "" }, { id: "k1", quotaUsd: "0" }, false],
    ["disabling", { status: ApiKeyStatus.DISABLED }, { id: "k1", status: ApiKeyStatus.DISABLED }, false],
    [
      "turning IP restriction off clears the lists",
      { ipRestricted: false },
      { id: "k1", ipWhitelist: { values: [] } },
      false,
    ],
    [
      "a new blacklist entry",
      { ipBlacklist: "203.0.113.9" },
      { id: "k1", ipBlacklist: { values: ["203.0.113.9"] } },
      false,
    ],
    ["removing the expiration is a ClearExpiration", { expiresAt: "" }, { id: "k1" }, true],
  ])("%s", (_name, change, update, clear) => {
    const result = updateKeyRequest(key, { ...keyFormOf(key), ...change });
    expect(result.update).toEqual(update);
    expect(result.clearExpiration).toBe(clear);
  });

  it("a new expiration is sent as a timestamp", () => {
    const later = new Date(2032, 0, 2, 3, 4);
    const { update } = updateKeyRequest(key, { ...keyFormOf(key), expiresAt: toLocalInput(later) });
    expect(timestampDate(update.expiresAt as never).getTime()).toBe(later.getTime());
  });

  it("an unlimited key read into the form shows an empty quota", () => {
    expect(keyFormOf(create(ApiKeySchema, { quotaUsd: "0" })).quotaUsd).toBe("");
  });
});
