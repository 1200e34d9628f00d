import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Capture, loadCaptures } from "../dataplane/policy/captures.fixture.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { createTenant, type Stack, startStack, type Tenant, waitFor } from "./support/stack.js";

// DESIGN §5.4 through the gateway: a Claude-Code-only group serves every real Claude Code request
// recorded in ../shared/captures and sends other clients to its fallback group, or refuses them
// naming the failed check when it has none.

let stack: Stack;
let claudeCode: Tenant;
let fallback: Tenant;
let strict: Tenant;

const anthropicCaptures = loadCaptures().filter((c) => c.method === "POST" && c.view.path === "/v1/messages");
const claudeCodeCaptures = anthropicCaptures.filter((c) => c.name.startsWith("claude-code-"));
const otherCaptures = anthropicCaptures.filter((c) => !c.name.startsWith("claude-code-"));

// What a capture's client sent, with our key instead of theirs and transport headers left to fetch.
function replay(capture: Capture, secret: string) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(capture.view.headers)) {
    if (value === undefined || ["host", "content-length", "connection", "accept-encoding"].includes(name)) continue;
    headers[name] = value;
  }
  if ("authorization" in headers) headers.authorization = `Bearer ${secret}`;
  else headers["x-api-key"] = secret;
  const search = capture.view.query.toString();
  return fetch(`${stack.dp.url}${capture.view.path}${search ? `?${search}` : ""}`, {
    method: "POST",
    headers,
    body: JSON.stringify(capture.view.body),
  });
}

function lastAccount(): string | null {
  return stack.sim.requests().at(-1)?.account ?? null;
}

beforeAll(async () => {
  stack = await startStack();
  fallback = await createTenant(stack, { platform: Platform.ANTHROPIC });
  claudeCode = await createTenant(stack, { platform: Platform.ANTHROPIC });
  strict = await createTenant(stack, { platform: Platform.ANTHROPIC });
  await stack.admin.groups.updateGroup({
    id: claudeCode.group.id,
    claudeCodeOnly: true,
    fallbackGroupId: fallback.group.id,
  });
  await stack.admin.groups.updateGroup({ id: strict.group.id, claudeCodeOnly: true });
  await waitFor(() => {
    const groups = stack.dp.config.current.groups;
    return Boolean(groups.get(strict.group.id)?.claudeCodeOnly && groups.get(claudeCode.group.id)?.claudeCodeOnly);
  }, "both group updates to reach the data plane");
});

afterAll(async () => {
  await stack?.close();
});

describe("a Claude-Code-only group with a fallback", () => {
  it("has captures of both kinds to replay", () => {
    expect(claudeCodeCaptures.map((c) => c.name)).toEqual([
      "claude-code-1",
      "claude-code-2",
      "claude-code-3",
      "claude-code-4",
    ]);
    expect(otherCaptures.length).toBeGreaterThan(0);
  });

  it.each(claudeCodeCaptures.map((c) => [c.name, c] as const))(
    "serves %s on its own accounts",
    async (_name, capture) => {
      const response = await replay(capture, claudeCode.secret);
      expect(response.status).toBe(200);
      await response.text();
      expect(lastAccount()).toBe(claudeCode.credentials[0]);
    },
  );

  it.each(otherCaptures.map((c) => [c.name, c] as const))("sends %s to the fallback group", async (_name, capture) => {
    const response = await replay(capture, claudeCode.secret);
    expect(response.status).toBe(200);
    await response.text();
    expect(lastAccount()).toBe(fallback.credentials[0]);
  });

  it("bills fallback traffic to the group that served it", async () => {
    await stack.dp.usage.drain(5_000);
    const { logs } = await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: claudeCode.key.id } });
    expect(new Set(logs.map((l) => l.groupId))).toEqual(new Set([claudeCode.group.id, fallback.group.id]));
  });
});

describe("a Claude-Code-only group without a fallback", () => {
  it.each(claudeCodeCaptures.map((c) => [c.name, c] as const))("serves %s", async (_name, capture) => {
    const response = await replay(capture, strict.secret);
    expect(response.status).toBe(200);
    await response.text();
  });

  it.each(otherCaptures.map((c) => [c.name, c] as const))(
    "refuses %s naming the failed check",
    async (_name, capture) => {
      const response = await replay(capture, strict.secret);
      expect(response.status).toBe(403);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("CLAUDE_CODE_ONLY");
      expect(body.error.message).toMatch(/failed check: (user_agent|request_body|marker_count)/);
    },
  );
});

describe("fallback cycles", () => {
  it("are refused by UpdateGroup naming fallback_group_id", async () => {
    const error = await stack.admin.groups
      .updateGroup({ id: fallback.group.id, fallbackGroupId: claudeCode.group.id })
      .catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect((error as ConnectError).rawMessage).toContain("fallback_group_id");
  });
});
