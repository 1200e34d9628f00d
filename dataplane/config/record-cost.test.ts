import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { formatDecimal } from "../../common/money.js";
import { priceOf } from "../../common/pricing.js";
import {
  ConfigUpdateSchema,
  GroupSchema,
  ModelPriceSchema,
  ResourceSchema,
  UsageRecordSchema,
} from "../../gen/tollgate/plane/v1/plane_pb.js";
import { applyConfigUpdate, EMPTY_CONFIG } from "./config-view.js";
import { costCeiling, recordCost } from "./record-cost.js";

const price = (model: string, input: string, output: string, cacheWrite = "0", cacheRead = "0") =>
  create(ResourceSchema, {
    resource: {
      case: "modelPrice",
      value: create(ModelPriceSchema, {
        model,
        inputPerMtok: input,
        outputPerMtok: output,
        cacheWritePerMtok: cacheWrite,
        cacheReadPerMtok: cacheRead,
      }),
    },
  });
const group = (id: string, rateMultiplier: string) =>
  create(ResourceSchema, { resource: { case: "group", value: create(GroupSchema, { id, rateMultiplier }) } });

const view = applyConfigUpdate(
  EMPTY_CONFIG,
  create(ConfigUpdateSchema, {
    version: 3n,
    snapshot: true,
    upserts: [
      price("claude-*", "3", "15", "3.75", "0.3"),
      price("claude-opus-*", "15", "75", "18.75", "1.5"),
      price("claude-opus-4-8", "5", "25", "6.25", "0.5"),
      price("gpt-*", "1.25", "10"),
      group("g1", "1"),
      group("g15", "1.5"),
    ],
  }),
);

describe("priceOf", () => {
  it.each([
    ["claude-opus-4-8", "5"],
    ["claude-opus-4-1", "15"],
    ["claude-haiku-4-5", "3"],
    ["gpt-5", "1.25"],
    ["gemini-2.5-pro", undefined],
  ])("%s -> input %s", (model, input) => {
    expect(priceOf(view.prices, model)?.inputPerMtok).toBe(input);
  });
});

describe("recordCost", () => {
  const record = (model: string, groupId: string, tokens: [number, number, number, number]) =>
    create(UsageRecordSchema, {
      model,
      groupId,
      inputTokens: BigInt(tokens[0]),
      outputTokens: BigInt(tokens[1]),
      cacheCreationTokens: BigInt(tokens[2]),
      cacheReadTokens: BigInt(tokens[3]),
    });
  it.each<[string, string, string, [number, number, number, number], string]>([
    ["each token kind at its price", "claude-haiku-4-5", "g1", [1000, 100, 2000, 10000], "0.015"],
    ["times the group rate", "claude-haiku-4-5", "g15", [1000, 100, 2000, 10000], "0.0225"],
    ["a group the view lacks bills at rate 1", "claude-haiku-4-5", "gone", [1000, 0, 0, 0], "0.003"],
    ["a model without a price costs 0", "gemini-2.5-pro", "g1", [1000, 1000, 0, 0], "0"],
    ["one token, rounded to 1e-18", "gpt-5", "g15", [1, 0, 0, 0], "0.000001875"],
    ["negative counts count as 0", "gpt-5", "g1", [-5, 1_000_000, 0, 0], "10"],
  ])("%s", (_name, model, groupId, tokens, expected) => {
    expect(formatDecimal(recordCost(view, record(model, groupId, tokens)))).toBe(expected);
  });
});

describe("costCeiling", () => {
  it.each<[string, string, string, number, number | undefined, string]>([
    ["input at the dearest input price, output at the output price", "claude-haiku-4-5", "g1", 100_000, 1000, "0.39"],
    ["times the group rate", "claude-haiku-4-5", "g15", 100_000, 1000, "0.585"],
    ["no output limit: the largest output of any model", "claude-haiku-4-5", "g1", 100_000, undefined, "2.295"],
    ["no price: nothing to bill", "gemini-2.5-pro", "g1", 100, 100, "0"],
  ])("%s", (_name, model, groupId, input, output, expected) => {
    expect(formatDecimal(costCeiling(view, groupId, model, input, output))).toBe(expected);
  });
});
