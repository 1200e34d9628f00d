import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimRequest, startUpstreamSim, type UpstreamSim } from "./index.js";

let sim: UpstreamSim;
beforeAll(async () => {
  sim = await startUpstreamSim();
});
afterAll(() => sim.close());

async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

const models = (key: string) => fetch(`${sim.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });

describe("the HTTP control API", () => {
  it("scripts steps for a credential", async () => {
    expect(
      await control("POST", "/_sim/script", { credential: "c-1", steps: [{ kind: "status", status: 503 }] }),
    ).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect((await models("c-1")).status).toBe(503);
    expect((await models("c-1")).status).toBe(200);
  });

  it("refuses invalid scripts, naming the problem", async () => {
    const cases: [unknown, string][] = [
      [{ steps: [] }, "credential must be a non-empty string"],
      [{ credential: "c", steps: "x" }, "steps must be an array"],
      [{ credential: "c", steps: [{ kind: "status" }] }, 'steps[0].status is required for a "status" step'],
      [[1, 2], "body must be a JSON object"],
    ];
    for (const [body, message] of cases) {
      expect(await control("POST", "/_sim/script", body)).toEqual({
        status: 400,
        body: { error: { message, type: "invalid_request" } },
      });
    }
  });

  it("returns the request log without logging control calls, and clears it", async () => {
    await control("DELETE", "/_sim/requests");
    await models("c-log");
    const { status, body } = await control("GET", "/_sim/requests");
    expect(status).toBe(200);
    const entries = body as SimRequest[];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ credential: "c-log", path: "/v1/models", status: 200, protocol: "openai" });
    await control("DELETE", "/_sim/requests");
    expect((await control("GET", "/_sim/requests")).body).toEqual([]);
  });

  it("links a credential to an account", async () => {
    await control("POST", "/_sim/link", { credential: "c-alias", account: "c-owner" });
    await control("POST", "/_sim/script", { credential: "c-owner", steps: [{ kind: "status", status: 401 }] });
    expect((await models("c-alias")).status).toBe(401);
    expect(await control("POST", "/_sim/link", { credential: "c-alias" })).toMatchObject({ status: 400 });
  });

  it("resets scripts and the log", async () => {
    await control("POST", "/_sim/script", { credential: "c-reset", steps: [{ kind: "hang" }] });
    await models("c-other");
    expect(await control("POST", "/_sim/reset")).toEqual({ status: 200, body: { ok: true } });
    expect(sim.requests()).toEqual([]);
    expect((await models("c-reset")).status).toBe(200);
  });

  it("answers an unknown control route with 404", async () => {
    expect(await control("GET", "/_sim/nothing")).toMatchObject({ status: 404 });
  });
});
