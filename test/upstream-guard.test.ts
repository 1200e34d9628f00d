import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataPlane } from "../dataplane/index.js";
import { hashSecret } from "../dataplane/pipeline/authorize.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { createTenant, type Stack, startStack, startTestDataPlane, waitFor } from "./support/stack.js";

// The SSRF guard through the whole gateway: the control plane accepts a public-looking base URL, but
// its name resolves to loopback (an injected resolver stands in for a hostile DNS record), so a data
// plane that does not allow private upstreams refuses to connect and the client gets a gateway error
// in its envelope; upstream redirects reach the client as answers and are never followed.

let stack: Stack;
let guarded: DataPlane;
let canary: Server;
let canaryHits = 0;

beforeAll(async () => {
  canary = createServer((_req, res) => {
    canaryHits++;
    res.end("canary");
  });
  await new Promise<void>((resolve) => canary.listen(0, "127.0.0.1", resolve));
  stack = await startStack();
  guarded = await startTestDataPlane(stack.cp, {
    allowPrivateUpstreams: false,
    upstreamResolver: async () => [{ address: "127.0.0.1", family: 4 }],
  });
}, 60_000);

afterAll(async () => {
  await guarded?.close();
  await stack?.close();
  await new Promise((resolve) => canary?.close(resolve));
});

function message(url: string, secret: string, stream = false) {
  return fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": secret, "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({
      model: "claude-sonnet-4-5",
      max_tokens: 8,
      stream,
      messages: [{ role: "user", content: "hi" }],
    }),
    redirect: "manual",
  });
}

describe("upstream address guard through the gateway", () => {
  it("refuses a public-looking host that resolves to loopback, at connect time", async () => {
    const tenant = await createTenant(stack, { platform: Platform.ANTHROPIC });
    const { port } = new URL(stack.sim.url);
    const account = tenant.accounts[0];
    await stack.admin.accounts.updateAccount({ id: account?.id ?? "", baseUrl: `http://api.provider.example:${port}` });
    await waitFor(
      () =>
        guarded.config.current.accounts.get(account?.id ?? "")?.baseUrl.includes("provider.example") === true &&
        guarded.config.current.keysByHash.has(hashSecret(tenant.secret)),
      "the guarded data plane to get the account",
    );
    const before = stack.sim.requests().length;
    const refused = await message(guarded.url, tenant.secret);
    expect(refused.status).toBe(502);
    const body = (await refused.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe("error");
    expect(body.error.message).not.toContain("127.0.0.1");
    expect(stack.sim.requests().length).toBe(before);
  });

  it("passes a redirect back without following it", async () => {
    const tenant = await createTenant(stack, { platform: Platform.ANTHROPIC });
    const location = `http://127.0.0.1:${(canary.address() as AddressInfo).port}/v1/messages`;
    const credential = tenant.credentials[0] as string;
    stack.sim.script(credential, [{ kind: "status", status: 302, headers: { location }, body: "moved" }]);
    const answer = await message(stack.dp.url, tenant.secret);
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBeNull();
    stack.sim.script(credential, [{ kind: "status", status: 307, headers: { location }, body: "moved", times: 3 }]);
    const streamed = await message(stack.dp.url, tenant.secret, true);
    expect(streamed.status).toBeGreaterThanOrEqual(300);
    await streamed.text();
    expect(canaryHits).toBe(0);
  });
});
