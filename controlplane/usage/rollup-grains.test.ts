import { describe, expect, it } from "vitest";
import { type Dimension, grainFor } from "./rollup-grains.js";

describe("grainFor", () => {
  it.each<[string, Dimension[], string | undefined]>([
    ["nothing: the model grain", [], "model"],
    ["a model", ["model"], "model"],
    ["an account", ["account_id"], "account"],
    ["an account and a model", ["account_id", "model"], "account"],
    ["a key", ["api_key_id"], "key"],
    ["a user", ["user_id"], "key"],
    ["a group", ["group_id"], "key"],
    ["a user, a key, a group and a model", ["user_id", "api_key_id", "group_id", "model"], "key"],
    ["an account and a key: raw logs", ["account_id", "api_key_id"], undefined],
    ["an account and a user: raw logs", ["account_id", "user_id"], undefined],
    ["an account and a group: raw logs", ["account_id", "group_id"], undefined],
  ])("%s", (_name, dimensions, grain) => {
    expect(grainFor(new Set(dimensions))).toBe(grain);
  });
});
