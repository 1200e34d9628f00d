import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import {
  AccountSchema,
  ApiKeySchema,
  ConfigUpdateSchema,
  GroupSchema,
  ModelPriceSchema,
  ResourceSchema,
  UserSchema,
} from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { SyncLog } from "../sync/sync-log.js";
import { ConfigHolder } from "./config-holder.js";
import { snapshotOf } from "./config-snapshot.js";
import { applyConfigUpdate, EMPTY_CONFIG } from "./config-view.js";
import { ConfigPersister, loadPersistedConfig, savePersistedConfig } from "./persisted-config.js";

const SECRET = "sk-upstream-secret-4711";
const TOKEN = "node-token-a";

const resources = [
  { case: "user", value: create(UserSchema, { id: "u1", balanceUsd: "10" }) },
  {
    case: "group",
    value: create(GroupSchema, { id: "g1", name: "g", platform: Platform.ANTHROPIC, rateMultiplier: "1.5" }),
  },
  {
    case: "apiKey",
    value: create(ApiKeySchema, { id: "k1", userId: "u1", groupId: "g1", secretHash: "h1", quotaUsedUsd: "0.25" }),
  },
  {
    case: "account",
    value: create(AccountSchema, { id: "a1", groupIds: ["g1"], apiKey: SECRET, refreshToken: "rt-secret" }),
  },
  { case: "modelPrice", value: create(ModelPriceSchema, { model: "claude-*", inputPerMtok: "3" }) },
] as const;

function update(version: bigint) {
  return create(ConfigUpdateSchema, {
    version,
    snapshot: true,
    upserts: resources.map((resource) => create(ResourceSchema, { resource })),
  });
}

let dir: string;
let path: string;
let warnings: string[];
const log: SyncLog = (level, message) => {
  if (level === "warn") warnings.push(message);
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-config-"));
  path = join(dir, "dataplane", "config.bin");
  warnings = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("snapshotOf", () => {
  it("rebuilds the same view from an empty one", () => {
    const view = applyConfigUpdate(EMPTY_CONFIG, update(7n));
    expect(applyConfigUpdate(EMPTY_CONFIG, snapshotOf(view))).toEqual(view);
  });
});

describe("persisted config", () => {
  it("loads what was saved, and keeps credentials out of the file in the clear", async () => {
    const view = applyConfigUpdate(EMPTY_CONFIG, update(7n));
    await savePersistedConfig(path, snapshotOf(view), TOKEN);
    const raw = await readFile(path);
    expect(raw.includes(SECRET)).toBe(false);
    expect(raw.includes("rt-secret")).toBe(false);
    const loaded = await loadPersistedConfig(path, TOKEN, log);
    expect(loaded && applyConfigUpdate(EMPTY_CONFIG, loaded)).toEqual(view);
    expect(warnings).toEqual([]);
  });

  it("is nothing, quietly, when no file exists yet", async () => {
    expect(await loadPersistedConfig(path, TOKEN, log)).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it.each([
    ["sealed under another node token", async () => savePersistedConfig(path, update(7n), "node-token-b")],
    [
      "altered on disk",
      async () => {
        await savePersistedConfig(path, update(7n), TOKEN);
        const raw = await readFile(path);
        raw[raw.length - 3] = (raw[raw.length - 3] as number) ^ 0xff;
        await writeFile(path, raw);
      },
    ],
    [
      "cut short",
      async () => {
        await savePersistedConfig(path, update(7n), TOKEN);
        await writeFile(path, (await readFile(path)).subarray(0, 30));
      },
    ],
    ["not ours at all", async () => writeFile(path, "{}")],
    ["a snapshot without a version", async () => savePersistedConfig(path, update(0n), TOKEN)],
  ])("is ignored with a warning when %s", async (_name, prepare) => {
    await savePersistedConfig(path, update(1n), TOKEN);
    await prepare();
    expect(await loadPersistedConfig(path, TOKEN, log)).toBeUndefined();
    expect(warnings).toEqual(["persisted config ignored; waiting for a snapshot"]);
  });
});

describe("ConfigPersister", () => {
  it("saves the first config at once when it has none on disk, later ones after the debounce", async () => {
    const holder = new ConfigHolder();
    // No minimum interval: only the debounce can hold the second save back.
    const persister = new ConfigPersister({
      path,
      nodeToken: TOKEN,
      holder,
      log,
      debounceMs: 60_000,
      minIntervalMs: 0,
    });
    holder.apply(update(1n));
    persister.schedule();
    const deadline = Date.now() + 5_000;
    while ((await loadPersistedConfig(path, TOKEN, log))?.version !== 1n) {
      if (Date.now() > deadline) throw new Error("the first config was not saved at once");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The file is renamed into place before the save finishes: let it finish (nothing new to save).
    await persister.flush();
    holder.apply(update(2n));
    persister.schedule();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await loadPersistedConfig(path, TOKEN, log))?.version).toBe(1n);
    await persister.flush();
    expect((await loadPersistedConfig(path, TOKEN, log))?.version).toBe(2n);
  });

  it("saves once after a burst of updates, and on flush only when something changed", async () => {
    const holder = new ConfigHolder();
    // As after a start from a persisted config: the view it holds is on disk already.
    holder.apply(update(1n));
    const persister = new ConfigPersister({ path, nodeToken: TOKEN, holder, log, debounceMs: 30 });
    for (let v = 2n; v <= 5n; v++) {
      holder.apply(update(v));
      persister.schedule();
    }
    expect(await loadPersistedConfig(path, TOKEN, log)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await loadPersistedConfig(path, TOKEN, log))?.version).toBe(5n);

    holder.apply(update(6n));
    await persister.flush();
    expect((await loadPersistedConfig(path, TOKEN, log))?.version).toBe(6n);
    await rm(path);
    await persister.flush();
    expect(await loadPersistedConfig(path, TOKEN, log)).toBeUndefined();
  });

  it("saves at most once per minimum interval while updates keep coming", async () => {
    const holder = new ConfigHolder();
    const persister = new ConfigPersister({ path, nodeToken: TOKEN, holder, log, debounceMs: 20, minIntervalMs: 400 });
    holder.apply(update(1n));
    persister.schedule();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await loadPersistedConfig(path, TOKEN, log))?.version).toBe(1n);

    holder.apply(update(2n));
    persister.schedule();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await loadPersistedConfig(path, TOKEN, log))?.version).toBe(1n);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await loadPersistedConfig(path, TOKEN, log))?.version).toBe(2n);
  });
});
