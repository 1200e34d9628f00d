import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDecimal, parseDecimal } from "../common/money.js";
import { startTestControlPlane, type TestControlPlane } from "../controlplane/test-support.js";
import { startUpstreamSim, type UpstreamSim } from "../upstream-sim/index.js";
import { type DataPlaneProcess, startDataPlaneProcess, waitForKey } from "./support/dataplane-process.js";
import { postMessages } from "./support/messages.js";
import { createTestPrefix, type TestRedisPrefix } from "./support/redis.js";
import { createTenant, waitFor } from "./support/stack.js";

// Issue (accounting): "a key never overspends its limit by more than one request per data plane".
// Two data-plane processes on one Redis spend a small quota as fast as clients can ask. Each alone
// would see the other's spend only once billed and published (hundreds of milliseconds), so without
// the shared check both could spend the last of the quota many times over.

const MODEL = "claude-opus-4-8";
// $0.001 a token: each request costs a few cents and its ceiling (body bytes + max_tokens) about $0.2.
const PRICE = "1000";
const QUOTA = "0.5";

let sim: UpstreamSim;
let cp: TestControlPlane;
let redis: TestRedisPrefix;
let planes: DataPlaneProcess[] = [];

beforeAll(async () => {
  redis = createTestPrefix();
  [sim, cp] = await Promise.all([startUpstreamSim({ quiet: true }), startTestControlPlane("postgres")]);
  planes = await Promise.all(
    [0, 1].map(() => startDataPlaneProcess({ planeUrl: cp.running.planeUrl, redisPrefix: redis.prefix })),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(planes.map((plane) => plane.stop()));
  await cp?.close();
  await sim?.close();
  await redis?.cleanup();
});

/** Asks through one data plane until the key is refused for its quota; counts what was served. */
async function spendThrough(url: string, secret: string): Promise<number> {
  let served = 0;
  for (let attempts = 0; attempts < 500; attempts++) {
    const response = await postMessages(url, secret, {
      model: MODEL,
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    });
    const body = (await response.json()) as { error?: { code?: string } };
    if (response.status === 200) served++;
    else if (body.error?.code === "API_KEY_QUOTA_EXHAUSTED") return served;
    else if (body.error?.code !== "CONCURRENCY_LIMIT") throw new Error(`unexpected ${response.status}`);
  }
  throw new Error("the quota was never exhausted");
}

describe("a key's quota across two data planes", () => {
  it("is overspent by at most one request per data plane", async () => {
    await cp.admin.pricing.setModelPrice({
      price: {
        model: MODEL,
        inputPerMtok: PRICE,
        outputPerMtok: PRICE,
        cacheWritePerMtok: PRICE,
        cacheReadPerMtok: PRICE,
      },
    });
    const t = await createTenant({ admin: cp.admin, sim }, { quotaUsd: QUOTA, balanceUsd: "1000" });
    await Promise.all(planes.map((plane) => waitForKey(plane.url, t.secret)));

    // Four clients per data plane, all at once.
    const served = await Promise.all(
      planes.flatMap((plane) => [0, 1, 2, 3].map(() => spendThrough(plane.url, t.secret))),
    );
    expect(served.reduce((a, b) => a + b, 0)).toBeGreaterThan(1);

    let logs: Awaited<ReturnType<typeof cp.admin.usage.listUsageLogs>>["logs"] = [];
    const total = served.reduce((a, b) => a + b, 0);
    await waitFor(async () => {
      logs = (await cp.admin.usage.listUsageLogs({ filter: { apiKeyId: t.key.id }, pageSize: 500 })).logs;
      return logs.length === total;
    }, "every served request to be billed");
    let largest = 0n;
    for (const log of logs) {
      const cost = parseDecimal(log.actualCostUsd) as bigint;
      if (cost > largest) largest = cost;
    }
    const { apiKey } = await cp.admin.keys.getApiKey({ id: t.key.id });
    const used = parseDecimal(apiKey?.quotaUsedUsd ?? "0") as bigint;
    const quota = parseDecimal(QUOTA) as bigint;
    console.log(
      `quota ${QUOTA}, used ${formatDecimal(used)} in ${logs.length} requests, largest ${formatDecimal(largest)}`,
    );
    expect(used).toBeGreaterThan(quota - largest);
    expect(used - quota).toBeLessThanOrEqual(BigInt(planes.length) * largest);
  }, 90_000);
});
