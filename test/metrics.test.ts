import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { postMessages } from "./support/messages.js";
import { sample, scrape } from "./support/metrics.js";
import { createTenant, type Stack, startStack, type Tenant, waitFor } from "./support/stack.js";

// /metrics on both planes after traffic: each counter moves for the labels of what happened (surface,
// status and platform; the failing account's errors, failover, cooldown and same-account retries),
// the latency and time-to-first-token histograms count, and the control plane reports the data
// plane's config version and lag.

let stack: Stack;
let tenant: Tenant;

beforeAll(async () => {
  stack = await startStack({ dataPlane: { failover: { sameAccountRetryDelayMs: 10 } } });
  // Two accounts: the first (priority 0) will be overloaded, the second answers.
  tenant = await createTenant(stack, { platform: Platform.ANTHROPIC, accounts: 2, priorities: [0, 1] });
}, 60_000);

afterAll(() => stack?.close());

function message(stream: boolean) {
  return postMessages(stack.dp.url, tenant.secret, {
    model: "claude-sonnet-4-5",
    max_tokens: 16,
    stream,
    messages: [{ role: "user", content: "hi" }],
  }).then(async (response) => ({ status: response.status, body: await response.text() }));
}

describe("/metrics", () => {
  it("moves the right series on both planes", async () => {
    const [first, second] = tenant.accounts.map((account) => account.id) as [string, string];
    const before = await scrape(stack.dp.url);

    stack.sim.script(tenant.credentials[0] as string, [{ kind: "overloaded" }]);
    stack.sim.script(tenant.credentials[1] as string, [{ kind: "empty-stream" }]);
    expect((await message(true)).status).toBe(200); // first: 529, switch; second: empty stream, retried, served
    expect((await message(false)).status).toBe(200);
    const bogus = await postMessages(stack.dp.url, "sk-tg-nope", "{}");
    expect(bogus.status).toBe(401);
    await waitFor(() => stack.dp.usage.backlog === 0, "usage to be acked", 30_000);

    const after = await scrape(stack.dp.url);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta("tollgate_requests_total", { surface: "anthropic", status: "200", platform: "anthropic" })).toBe(2);
    expect(delta("tollgate_requests_total", { surface: "anthropic", status: "401", platform: "none" })).toBe(1);
    expect(delta("tollgate_request_duration_seconds_count", { surface: "anthropic" })).toBe(3);
    expect(delta("tollgate_time_to_first_token_seconds_count", { platform: "anthropic" })).toBe(1);
    expect(delta("tollgate_upstream_errors_total", { account_id: first, kind: "529" })).toBe(1);
    expect(delta("tollgate_failovers_total", { account_id: first })).toBe(1);
    expect(delta("tollgate_account_cooldowns_total", { account_id: first, kind: "overloaded" })).toBe(1);
    expect(delta("tollgate_upstream_errors_total", { account_id: second, kind: "empty_stream" })).toBe(1);
    expect(delta("tollgate_same_account_retries_total", { account_id: second })).toBe(1);
    expect(delta("tollgate_failovers_total", { account_id: second })).toBe(0);
    // In memory every routing decision is local: two for the stream (the 529 moved it to the second
    // account; the same-account retry keeps its slot), one for the message, none for the 401.
    expect(delta("tollgate_routing_acquires_total", { round_trip: "false" })).toBe(3);
    expect(delta("tollgate_routing_acquires_total", { round_trip: "true" })).toBe(0);
    expect(sample(after, "tollgate_routing_known_sessions")).toBe(0);
    const version = Number(stack.dp.config.current.version);
    expect(sample(after, "tollgate_config_version")).toBe(version);
    expect(sample(after, "tollgate_usage_spool_depth")).toBe(0);
    expect(sample(after, "tollgate_concurrency_slots_held")).toBe(0);
    // The scrape itself is the one request in flight.
    expect(sample(after, "tollgate_requests_in_flight")).toBe(1);
    expect(after).not.toContain(tenant.secret);
    for (const credential of tenant.credentials) expect(after).not.toContain(credential);

    const control = await scrape(stack.cp.running.adminUrl);
    expect(sample(control, "tollgate_dataplanes_connected")).toBe(1);
    expect(sample(control, "tollgate_controlplane_config_version")).toBeGreaterThanOrEqual(version);
    await waitFor(async () => {
      const now = await scrape(stack.cp.running.adminUrl);
      return (
        sample(now, "tollgate_dataplane_config_lag") === 0 &&
        sample(now, "tollgate_dataplane_config_version") === sample(now, "tollgate_controlplane_config_version")
      );
    }, "the data plane to be reported up to date");
  }, 60_000);
});
