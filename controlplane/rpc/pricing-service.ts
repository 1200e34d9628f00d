import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { formatDecimal } from "../../common/money.js";
import type { Price } from "../../common/pricing.js";
import {
  type ModelPrice,
  ModelPriceSchema,
  PriceSource,
  type PricingService,
} from "../../gen/tollgate/admin/v1/pricing_pb.js";
import { forgetTombstone, recordTombstones } from "../config/versions.js";
import { ADMIN_ACTOR, type ServiceContext } from "../context.js";
import { writeAuditEvent } from "../db/audit-events.js";
import {
  deletePriceOverride,
  findPriceOverride,
  listPriceOverrides,
  type ModelPriceRow,
  upsertPriceOverride,
} from "../db/model-prices.js";
import { decimalText } from "../stored-values.js";
import { DEFAULT_PRICES } from "../usage/default-prices.js";
import { invalidArgument, notFound } from "./errors.js";
import { decodePageToken, pageSize, toPage } from "./paging.js";
import { nonNegativeDecimal, requireText } from "./validate.js";

const MODEL = /^[^*\s]+\*?$/;

function defaultMessage(model: string, price: Price): ModelPrice {
  return create(ModelPriceSchema, {
    model,
    inputPerMtok: formatDecimal(price.inputPerMtok),
    outputPerMtok: formatDecimal(price.outputPerMtok),
    cacheWritePerMtok: formatDecimal(price.cacheWritePerMtok),
    cacheReadPerMtok: formatDecimal(price.cacheReadPerMtok),
    source: PriceSource.DEFAULT,
  });
}

function overrideMessage(row: ModelPriceRow): ModelPrice {
  return create(ModelPriceSchema, {
    model: row.model,
    inputPerMtok: decimalText(row.inputPerMtok),
    outputPerMtok: decimalText(row.outputPerMtok),
    cacheWritePerMtok: decimalText(row.cacheWritePerMtok),
    cacheReadPerMtok: decimalText(row.cacheReadPerMtok),
    source: PriceSource.OVERRIDE,
    updatedAt: timestampFromDate(row.updatedAt),
  });
}

const audit = (action: string, targetId: string, before?: ModelPrice, after?: ModelPrice) => ({
  actor: ADMIN_ACTOR,
  action: `PricingService/${action}`,
  targetType: "model_price",
  targetId,
  before: before && overrideJson(before),
  after: after && overrideJson(after),
});

const overrideJson = (m: ModelPrice) => ({
  model: m.model,
  inputPerMtok: m.inputPerMtok,
  outputPerMtok: m.outputPerMtok,
  cacheWritePerMtok: m.cacheWritePerMtok,
  cacheReadPerMtok: m.cacheReadPerMtok,
});

export function pricingService(ctx: ServiceContext): ServiceImpl<typeof PricingService> {
  return {
    async setModelPrice(req) {
      const input = req.price;
      const model = requireText("price.model", input?.model ?? "");
      if (!MODEL.test(model)) {
        throw invalidArgument("price.model", `"${model}" must be a model name, or a prefix ending in a single "*"`);
      }
      const values = {
        model,
        inputPerMtok: formatDecimal(nonNegativeDecimal("price.input_per_mtok", input?.inputPerMtok ?? "", "")),
        outputPerMtok: formatDecimal(nonNegativeDecimal("price.output_per_mtok", input?.outputPerMtok ?? "", "")),
        cacheWritePerMtok: formatDecimal(
          nonNegativeDecimal("price.cache_write_per_mtok", input?.cacheWritePerMtok ?? "", ""),
        ),
        cacheReadPerMtok: formatDecimal(
          nonNegativeDecimal("price.cache_read_per_mtok", input?.cacheReadPerMtok ?? "", ""),
        ),
      };
      const price = await ctx.change(async (tx, version) => {
        const before = await findPriceOverride(tx, model);
        const price = overrideMessage(await upsertPriceOverride(tx, { ...values, version }));
        await forgetTombstone(tx, "model_price", model);
        await writeAuditEvent(tx, audit("SetModelPrice", model, before && overrideMessage(before), price));
        return price;
      });
      return { price };
    },

    async listModelPrices(req) {
      const limit = pageSize(req.pageSize);
      const [after] = decodePageToken(req.pageToken, 1) ?? [];
      const query = req.query.trim().toLowerCase();
      const merged = new Map<string, ModelPrice>();
      for (const [model, price] of DEFAULT_PRICES) merged.set(model, defaultMessage(model, price));
      for (const row of await listPriceOverrides(ctx.db)) merged.set(row.model, overrideMessage(row));
      const sorted = [...merged.values()]
        .filter((p) => p.model.toLowerCase().includes(query) && (after === undefined || p.model > after))
        .sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
      const page = toPage(sorted.slice(0, limit + 1), limit, (p) => [p.model]);
      return { prices: page.items, nextPageToken: page.nextPageToken };
    },

    async deleteModelPrice(req) {
      const model = requireText("model", req.model);
      await ctx.change(async (tx, version) => {
        const before = await findPriceOverride(tx, model);
        if (!before) throw notFound("model price override", model);
        await deletePriceOverride(tx, model);
        // A model of the default table reverts to its default; the config delta sends that (config/delta.ts).
        await recordTombstones(tx, version, "model_price", [model]);
        await writeAuditEvent(tx, audit("DeleteModelPrice", model, overrideMessage(before)));
      });
      return {};
    },
  };
}
