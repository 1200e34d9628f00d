import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import type { Group } from "../gen/tollgate/admin/v1/group_pb.js";
import type { SimRequest } from "../upstream-sim/index.js";
import { CLAUDE_CODE, type CliHome, cliHome } from "./support/cli-run.js";
import { createTenant, type Stack, startStack, type Tenant, waitFor } from "./support/stack.js";

// The real Claude Code CLI, offline (as in test/clients/claude-code.test.ts), against a group of
// several accounts: a `-p` run and its `--continue` keep one session id, and sticky routing keeps
// them on one account. The same session through a key of another group over the same accounts is
// bound in that group independently (DESIGN §5.6: bindings live under the group id).

let stack: Stack;
let t: Tenant;
let otherGroup: Group;
let otherSecret: string;
let cli: CliHome;

beforeAll(async () => {
  stack = await startStack();
  t = await createTenant(stack, { platform: Platform.ANTHROPIC, accounts: 3 });
  otherGroup = (await stack.admin.groups.createGroup({ name: `other-${t.group.name}`, platform: Platform.ANTHROPIC }))
    .group as Group;
  for (const account of t.accounts) {
    await stack.admin.accounts.updateAccount({ id: account.id, groupIds: { values: [t.group.id, otherGroup.id] } });
  }
  const created = await stack.admin.keys.createApiKey({
    userId: t.user.id,
    name: "other-group",
    groupId: otherGroup.id,
  });
  otherSecret = created.secret;
  await waitFor(
    () => stack.dp.config.current.accountsByGroup.get(otherGroup.id)?.length === 3,
    "the data plane to see both groups' accounts",
  );
  cli = await cliHome();
});

afterAll(async () => {
  await cli?.remove();
  await stack?.close();
});

interface Run {
  sessionId: string;
  /** The account (index in t's accounts) of each upstream message request of the run. */
  accounts: number[];
}

/** One `claude -p` run (continuing the last conversation when asked) with the given key. */
async function claude(secret: string, prompt: string, resume: boolean): Promise<Run> {
  const before = stack.sim.requests().length;
  const run = await cli.run(
    CLAUDE_CODE,
    [...(resume ? ["--continue"] : []), "-p", prompt, "--output-format", "json"],
    {
      ANTHROPIC_BASE_URL: stack.dp.url,
      ANTHROPIC_API_KEY: secret,
      DISABLE_TELEMETRY: "1",
      DISABLE_ERROR_REPORTING: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
    },
    60_000,
  );
  expect(run, run.stderr).toMatchObject({ code: 0 });
  const result = JSON.parse(run.stdout) as { session_id: string; result: string };
  expect(result.result).toBe("Hello from upstream-sim.");
  const messages = stack.sim
    .requests()
    .slice(before)
    .filter((r) => r.operation === "messages");
  expect(messages.length).toBeGreaterThan(0);
  for (const request of messages) expect(request.headers["x-claude-code-session-id"]).toBe(result.session_id);
  return {
    sessionId: result.session_id,
    accounts: messages.map((r: SimRequest) => t.credentials.indexOf(r.account as string)),
  };
}

describe("Claude Code sessions", () => {
  it("a -p run and its --continue are served by one account; the same session in another group is bound there on its own", async () => {
    const first = await claude(t.secret, "say hi", false);
    const home = first.accounts[0] as number;
    expect(first.accounts.every((account) => account === home)).toBe(true);

    const continued = await claude(t.secret, "and once more", true);
    expect(continued.sessionId).toBe(first.sessionId);
    expect(continued.accounts.every((account) => account === home)).toBe(true);

    // Same session id, other group over the same accounts: a binding of its own. Least recently used
    // sends it elsewhere, which only happens if the first group's binding is not shared.
    const elsewhere = await claude(otherSecret, "from the other group", true);
    expect(elsewhere.sessionId).toBe(first.sessionId);
    const otherHome = elsewhere.accounts[0] as number;
    expect(otherHome).not.toBe(home);
    expect(elsewhere.accounts.every((account) => account === otherHome)).toBe(true);

    // And the first group's binding was left as it was.
    const back = await claude(t.secret, "back in the first group", true);
    expect(back.sessionId).toBe(first.sessionId);
    expect(back.accounts.every((account) => account === home)).toBe(true);
  }, 150_000);
});
