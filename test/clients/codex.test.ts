import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import type { SimRequest } from "../../upstream-sim/index.js";
import { type CliHome, CODEX, cliHome } from "../support/cli-run.js";
import { createTenant, type Stack, startStack, type Tenant } from "../support/stack.js";

// The real Codex CLI (@openai/codex, a dev dependency; its native binary comes in an optional
// platform package) through the data plane's /v1/responses to upstream-sim, offline, with a custom
// provider in ~/.codex/config.toml as CLIENTS.md shows.

let stack: Stack;
let tenant: Tenant;
let cli: CliHome;

beforeAll(async () => {
  stack = await startStack();
  tenant = await createTenant(stack, { platform: Platform.OPENAI });
  cli = await cliHome();
  await cli.write(
    ".codex/config.toml",
    [
      'model = "gpt-5-codex"',
      'model_provider = "tollgate"',
      "",
      "[model_providers.tollgate]",
      'name = "Tollgate"',
      `base_url = "${stack.dp.url}/v1"`,
      'env_key = "TOLLGATE_API_KEY"',
      'wire_api = "responses"',
      "",
    ].join("\n"),
  );
});

afterAll(async () => {
  await cli?.remove();
  await stack?.close();
});

describe("Codex CLI", () => {
  it("answers `codex exec` with the simulated reply, billed with response.completed's usage", async () => {
    const run = await cli.run(
      CODEX,
      ["exec", "--skip-git-repo-check", "say hi"],
      { TOLLGATE_API_KEY: tenant.secret },
      120_000,
    );
    expect(run, run.stderr).toMatchObject({ code: 0 });
    // The final message alone goes to stdout.
    expect(run.stdout.trim()).toBe("Hello from upstream-sim.");

    const upstream = stack.sim.requests().filter((r) => r.operation === "responses");
    expect(upstream).toHaveLength(1);
    const request = upstream[0] as SimRequest;
    expect(request).toMatchObject({ stream: true, credential: tenant.credentials[0], model: "gpt-5-codex" });
    // Codex's conversation identity passes through to the upstream.
    expect(request.headers["session-id"]).toBe((request.body as { prompt_cache_key?: string }).prompt_cache_key);
    expect(request.headers.originator).toBe("codex_exec");

    await stack.dp.usage.drain(5_000);
    const { logs } = await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: tenant.key.id } });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ stream: true, statusCode: 200, estimated: false, model: "gpt-5-codex" });
    expect(Number(logs[0]?.inputTokens)).toBeGreaterThan(1000);
    expect(Number(logs[0]?.outputTokens)).toBe(Math.ceil("Hello from upstream-sim.".length / 4));
    expect(logs[0]?.userAgent).toMatch(/^codex_exec\/0\.171\.0 /);
  }, 150_000);
});
