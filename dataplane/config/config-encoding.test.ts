import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  ApiKeySchema,
  ConfigUpdateSchema,
  ResourceKind,
  ResourceRefSchema,
  ResourceSchema,
  UserSchema,
} from "../../gen/tollgate/plane/v1/plane_pb.js";
import { encodeConfigUpdate } from "./config-encoding.js";

function update(keys: number, deletes: number, version = 7n, snapshot = true) {
  return create(ConfigUpdateSchema, {
    version,
    snapshot,
    upserts: [
      create(ResourceSchema, {
        resource: { case: "user", value: create(UserSchema, { id: "u1", balanceUsd: "9.5" }) },
      }),
      ...Array.from({ length: keys }, (_, i) =>
        create(ResourceSchema, {
          resource: {
            case: "apiKey",
            value: create(ApiKeySchema, {
              id: `k${i}`,
              userId: "u1",
              secretHash: `h${i}`,
              ipWhitelist: ["10.0.0.0/8"],
            }),
          },
        }),
      ),
    ],
    deletes: Array.from({ length: deletes }, (_, i) =>
      create(ResourceRefSchema, { kind: ResourceKind.API_KEY, id: `gone${i}` }),
    ),
  });
}

describe("encodeConfigUpdate", () => {
  it.each([
    ["an empty update", update(0, 0, 0n, false)],
    ["a small snapshot", update(3, 0)],
    ["upserts over several slices", update(1_234, 0)],
    ["upserts and deletes over several slices", update(700, 1_100, 9n, false)],
  ])("gives the bytes one toBinary call gives: %s", async (_, message) => {
    expect(Buffer.from(await encodeConfigUpdate(message))).toEqual(Buffer.from(toBinary(ConfigUpdateSchema, message)));
  });

  it("lets other work run while a large config is encoded", async () => {
    let turns = 0;
    let encoding = true;
    const tick = () => {
      turns++;
      if (encoding) setImmediate(tick);
    };
    setImmediate(tick);
    await encodeConfigUpdate(update(5_000, 0));
    encoding = false;
    expect(turns).toBeGreaterThan(5);
  });
});
