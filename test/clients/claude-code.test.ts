import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { CLAUDE_CODE, type CliHome, cliHome } from "../support/cli-run.js";
import { createTenant, type Stack, startStack, type Tenant } from "../support/stack.js";

// The real Claude Code (@anthropic-ai/claude-code, a dev dependency) through the data plane to
// upstream-sim, offline, run as CLIENTS.md shows.

let stack: Stack;
let tenant: Tenant;
let cli: CliHome;

beforeAll(async () => {
  stack = await startStack();
  tenant = await createTenant(stack, { platform: Platform.ANTHROPIC });
  cli = await cliHome();
});

afterAll(async () => {
  await cli?.remove();
  await stack?.close();
});

describe("Claude Code", () => {
  it("answers `claude -p` with the simulated reply, billed with the tokens it reports", async () => {
    const run = await cli.run(
      CLAUDE_CODE,
      ["-p", "say hi", "--output-format", "json"],
      {
        ANTHROPIC_BASE_URL: stack.dp.url,
        ANTHROPIC_API_KEY: tenant.secret,
        DISABLE_TELEMETRY: "1",
        DISABLE_ERROR_REPORTING: "1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        DISABLE_AUTOUPDATER: "1",
      },
      120_000,
    );
    expect(run, run.stderr).toMatchObject({ code: 0 });
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      type: "result",
      subtype: "success",
      is_error: false,
      result: "Hello from upstream-sim.",
    });

    const upstream = stack.sim.requests().filter((r) => r.operation === "messages");
    expect(upstream).toHaveLength(1);
    expect(upstream[0]).toMatchObject({
      path: "/v1/messages",
      query: { beta: "true" },
      stream: true,
      credential: tenant.credentials[0],
      credentialSource: "x-api-key",
    });
    expect(upstream[0]?.headers["x-claude-code-session-id"]).toBe(result.session_id);

    await stack.dp.usage.drain(5_000);
    const { logs } = await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: tenant.key.id } });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      stream: true,
      statusCode: 200,
      estimated: false,
      inputTokens: BigInt(result.usage.input_tokens),
      outputTokens: BigInt(result.usage.output_tokens),
      cacheCreationTokens: BigInt(result.usage.cache_creation_input_tokens),
      cacheReadTokens: BigInt(result.usage.cache_read_input_tokens),
    });
    expect(logs[0]?.userAgent).toMatch(/^claude-cli\/2\.1\.197 /);
  }, 150_000);
});
