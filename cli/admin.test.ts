import { spawn } from "node:child_process";
import { create } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_TOKEN_COUNT } from "../common/pricing.js";
import {
  ADMIN_SERVICES,
  must,
  startTestControlPlane,
  TEST_ADMIN_TOKEN,
  type TestControlPlane,
  unique,
} from "../controlplane/test-support.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { UsageBatchSchema } from "../gen/tollgate/plane/v1/plane_pb.js";

// `tollgate admin` as a user runs it: the real command (bin/tollgate.js) against a running control plane.

const BIN = new URL("../bin/tollgate.js", import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function admin(args: string[], env: Record<string, string>, stdin?: string): Promise<Run> {
  const child = spawn(process.execPath, [BIN, "admin", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  child.stdin?.end(stdin);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("tollgate admin", () => {
  let cp: TestControlPlane;
  let env: Record<string, string>;
  beforeAll(async () => {
    cp = await startTestControlPlane("postgres");
    env = { TOLLGATE_ADMIN_URL: cp.running.adminUrl, TOLLGATE_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
  });
  afterAll(() => cp?.close());

  it("lists every admin service and method in --help", async () => {
    const help = await admin(["--help"], {});
    expect(help.code).toBe(0);
    for (const service of ADMIN_SERVICES) {
      expect(help.stdout).toContain(`\n  ${service.name}\n`);
      for (const method of service.methods) expect(help.stdout).toContain(`\n    ${method.name}\n`);
    }
    expect(help.stdout).toContain("TOLLGATE_ADMIN_TOKEN");
    const fields = await admin(["UserService", "CreateUser", "--help"], {});
    expect(fields.stdout).toMatch(/email\s+string\n/);
    expect(fields.stdout).toContain("response: tollgate.admin.v1.CreateUserResponse");
  });

  it("calls a method with JSON from the argument or stdin and prints the response as JSON", async () => {
    const email = `${unique("cli")}@example.com`;
    const created = await admin(["UserService", "CreateUser", JSON.stringify({ email, balanceUsd: "12.5" })], env);
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const user = JSON.parse(created.stdout).user;
    expect(user).toMatchObject({ email, balanceUsd: "12.5", status: "USER_STATUS_ACTIVE" });
    // Names without regard to case or the Service suffix; the request from stdin, in proto field names.
    const fetched = await admin(["user", "getuser"], env, JSON.stringify({ id: user.id }));
    expect(JSON.parse(fetched.stdout)).toEqual({ user });
    expect((await cp.admin.users.getUser({ id: user.id })).user?.email).toBe(email);
  });

  it("prints int64 values as strings", async () => {
    const user = must((await cp.admin.users.createUser({ email: `${unique("u")}@e.com`, balanceUsd: "5" })).user);
    const group = must((await cp.admin.groups.createGroup({ name: unique("g"), platform: Platform.ANTHROPIC })).group);
    const key = must((await cp.admin.keys.createApiKey({ userId: user.id, groupId: group.id })).apiKey);
    // Ten records at the control plane's cap of a billion tokens each: a total past 32 bits, and the
    // largest a usage record can reach (a count past 2^53 is capped when it is billed).
    const batches = (async function* () {
      yield create(UsageBatchSchema, {
        batchId: 1n,
        records: Array.from({ length: 10 }, () => ({
          requestId: unique("r"),
          apiKeyId: key.id,
          userId: user.id,
          groupId: group.id,
          model: "claude-haiku-4-5",
          inputTokens: BigInt(MAX_TOKEN_COUNT),
        })),
      });
    })();
    for await (const _ack of cp.plane.reportUsage(batches)) {
      // applied
    }
    const stats = await admin(
      ["UsageService", "GetUsageStats", JSON.stringify({ filter: { api_key_id: key.id } })],
      env,
    );
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout).totals).toMatchObject({ requests: "10", inputTokens: "10000000000" });
  });

  it.each([
    ["an unknown id", ["UserService", "GetUser", '{"id":"missing"}'], 1, /^tollgate admin: not_found: .*missing.*\n$/],
    [
      "a refused value",
      ["GroupService", "CreateGroup", '{"name":"x"}'],
      1,
      /^tollgate admin: invalid_argument: .*platform.*\n$/,
    ],
    [
      "a request that is not JSON",
      ["UserService", "GetUser", "{id:"],
      1,
      /^tollgate admin: invalid_argument: the request is not JSON/,
    ],
    [
      "a field the request does not have",
      ["UserService", "GetUser", '{"nope":1}'],
      1,
      /^tollgate admin: invalid_argument: .*nope/,
    ],
    ["an unknown service", ["NoService", "Get"], 2, /^tollgate admin: unknown service "NoService"/],
    [
      "an unknown method",
      ["UserService", "Fly"],
      2,
      /^tollgate admin: unknown method "Fly" of UserService: CreateUser, /,
    ],
  ])("fails on %s with one line on stderr", async (_name, args, code, stderr) => {
    const run = await admin(args, env);
    expect(run).toMatchObject({ code, stdout: "" });
    expect(run.stderr).toMatch(stderr);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("fails with unauthenticated on a wrong token, and says so when none is set", async () => {
    const wrong = await admin(["UserService", "ListUsers"], { ...env, TOLLGATE_ADMIN_TOKEN: "wrong" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^tollgate admin: unauthenticated: /);
    const none = await admin(["UserService", "ListUsers"], { TOLLGATE_ADMIN_URL: cp.running.adminUrl });
    expect(none).toMatchObject({ code: 2, stderr: "tollgate admin: TOLLGATE_ADMIN_TOKEN is not set\n" });
  });

  it("fails with unavailable when no control plane answers", async () => {
    const run = await admin(["UserService", "ListUsers"], { ...env, TOLLGATE_ADMIN_URL: "http://127.0.0.1:1" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tollgate admin: unavailable: /);
  });
});
