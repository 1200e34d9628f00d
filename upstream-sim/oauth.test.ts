import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstreamSim, type UpstreamSim } from "./index.js";
import { parseRefreshRequest } from "./oauth.js";

describe("parseRefreshRequest", () => {
  const cases: [unknown, ReturnType<typeof parseRefreshRequest>][] = [
    [
      { grant_type: "refresh_token", refresh_token: "r" },
      { ok: true, refreshToken: "r" },
    ],
    [
      { grant_type: "authorization_code", code: "c" },
      { ok: false, status: 400, error: "unsupported_grant_type", description: "grant_type must be refresh_token" },
    ],
    [
      { grant_type: "refresh_token" },
      { ok: false, status: 400, error: "invalid_request", description: "refresh_token is required" },
    ],
    ["text", { ok: false, status: 400, error: "invalid_request", description: "body must be a form or JSON object" }],
  ];
  it.each(cases)("%j", (body, expected) => {
    expect(parseRefreshRequest(body)).toEqual(expected);
  });
});

let sim: UpstreamSim;
beforeAll(async () => {
  sim = await startUpstreamSim();
});
afterAll(() => sim.close());

async function refresh(target: UpstreamSim, refreshToken: string, form = true) {
  const res = await fetch(`${target.url}/oauth/token`, {
    method: "POST",
    headers: { "content-type": form ? "application/x-www-form-urlencoded" : "application/json" },
    body: form
      ? new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }).toString()
      : JSON.stringify({ grant_type: "refresh_token", refresh_token: refreshToken }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const messages = (target: UpstreamSim, token: string) =>
  fetch(`${target.url}/v1/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: "claude-sonnet-5-5", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }),
  });

describe("POST /oauth/token", () => {
  it("issues tokens that are accepted afterwards as the refresh token's account", async () => {
    sim.linkCredential("rt-1", "at-1");
    const grant = await refresh(sim, "rt-1");
    expect(grant).toMatchObject({
      status: 200,
      body: {
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        expires_in: 3600,
        token_type: "Bearer",
      },
    });
    expect((await messages(sim, grant.body.access_token as string)).status).toBe(200);
    const [token, used] = sim.requests().slice(-2);
    expect(token).toMatchObject({
      operation: "oauth_token",
      protocol: "oauth",
      credential: "rt-1",
      credentialSource: "refresh_token",
      account: "at-1",
      status: 200,
    });
    expect(used).toMatchObject({ credential: grant.body.access_token, account: "at-1" });
  });

  it("rotates refresh tokens: a used one is refused, the new one works (JSON body too)", async () => {
    const first = await refresh(sim, "rt-rotate");
    expect(await refresh(sim, "rt-rotate")).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const second = await refresh(sim, first.body.refresh_token as string, false);
    expect(second.status).toBe(200);
    expect(sim.requests().at(-1)?.account).toBe("rt-rotate");
  });

  it("fails as scripted for the refresh token's account", async () => {
    sim.script("rt-fail", [
      { kind: "status", status: 400 },
      { kind: "rate-limit", resetSeconds: 5 },
    ]);
    expect(await refresh(sim, "rt-fail")).toEqual({
      status: 400,
      body: { error: "invalid_grant", error_description: "Bad Request" },
    });
    expect((await refresh(sim, "rt-fail")).status).toBe(429);
    expect((await refresh(sim, "rt-fail")).status).toBe(200);
  });

  it("refuses a request without a refresh token or with another grant", async () => {
    const res = await fetch(`${sim.url}/oauth/token`, { method: "POST", body: "grant_type=refresh_token" });
    expect(res.status).toBe(400);
    const other = await fetch(`${sim.url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=password&refresh_token=x",
    });
    expect(await other.json()).toMatchObject({ error: "unsupported_grant_type" });
  });

  it("refuses an issued access token once it has expired", async () => {
    const shortLived = await startUpstreamSim({ oauthExpiresInSeconds: 0 });
    try {
      const grant = await refresh(shortLived, "rt-short");
      const res = await messages(shortLived, grant.body.access_token as string);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        error: { type: "authentication_error", message: "OAuth token has expired" },
      });
    } finally {
      await shortLived.close();
    }
  });
});
