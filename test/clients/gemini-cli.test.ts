import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { type CliHome, cliHome, GEMINI_CLI } from "../support/cli-run.js";
import { createTenant, type Stack, startStack, type Tenant } from "../support/stack.js";

// The real Gemini CLI (@google/gemini-cli, a dev dependency) through the data plane to upstream-sim,
// offline. With GOOGLE_GEMINI_BASE_URL set, Gemini CLI 0.61.0 picks its "gateway" auth type from the
// environment and then refuses it in non-interactive mode ("Invalid auth method selected."), so the
// settings file names the API-key auth type; usage statistics are off so it calls nothing else.

let stack: Stack;
let tenant: Tenant;
let cli: CliHome;

beforeAll(async () => {
  stack = await startStack();
  tenant = await createTenant(stack, { platform: Platform.GEMINI });
  cli = await cliHome();
  await cli.write(
    ".gemini/settings.json",
    JSON.stringify({
      security: { auth: { selectedType: "gemini-api-key" } },
      privacy: { usageStatisticsEnabled: false },
    }),
  );
});

afterAll(async () => {
  await cli?.remove();
  await stack?.close();
});

describe("Gemini CLI", () => {
  it("answers `gemini -p` with the simulated reply; the router call and the streamed turn are both billed", async () => {
    const run = await cli.run(
      GEMINI_CLI,
      ["-p", "say hi"],
      {
        GEMINI_API_KEY: tenant.secret,
        GOOGLE_GEMINI_BASE_URL: stack.dp.url,
        GEMINI_CLI_TRUST_WORKSPACE: "true",
      },
      120_000,
    );
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout.trim()).toBe("Hello from upstream-sim.");

    const upstream = stack.sim.requests().filter((r) => r.protocol === "gemini");
    expect(upstream.map((r) => r.operation)).toEqual(["generate_content", "stream_generate_content"]);
    for (const request of upstream) {
      expect(request).toMatchObject({ credential: tenant.credentials[0], credentialSource: "x-goog-api-key" });
    }
    expect(upstream[1]?.query).toEqual({ alt: "sse" });

    await stack.dp.usage.drain(5_000);
    const { logs } = await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: tenant.key.id } });
    const billed = logs.map((l) => `${l.model} stream=${l.stream} estimated=${l.estimated}`);
    const expected = [
      `${upstream[0]?.model} stream=false estimated=false`,
      `${upstream[1]?.model} stream=true estimated=false`,
    ];
    expect(billed.sort()).toEqual(expected.sort());
    for (const log of logs) expect(Number(log.outputTokens)).toBeGreaterThan(0);
  }, 150_000);
});
