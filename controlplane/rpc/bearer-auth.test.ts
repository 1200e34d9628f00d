import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Code, createClient, createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditService } from "../../gen/tollgate/admin/v1/audit_pb.js";
import { bearer, expectConnectError } from "../test-support.js";
import { AuthThrottle, peerAddress } from "./auth-throttle.js";
import { bearerAuth } from "./bearer-auth.js";

// The admin token check over real HTTP: constant-time comparison, and wrong tokens from one address
// answered more and more slowly (base 100 ms here: the 2nd failure waits 100 ms, the 3rd 200 ms).

let server: Server;
let url: string;

beforeAll(async () => {
  const throttle = new AuthThrottle({ baseDelayMs: 100, maxDelayMs: 400, forgetAfterMs: 60_000, maxTracked: 10 });
  server = createServer(
    connectNodeAdapter({
      routes: (router) =>
        router.service(
          AuditService,
          { listAuditEvents: async () => ({ events: [], nextPageToken: "" }) },
          { interceptors: [bearerAuth("right-token", "admin", throttle)] },
        ),
      contextValues: (req) => createContextValues().set(peerAddress, req.socket.remoteAddress ?? ""),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

const client = (token?: string) =>
  createClient(
    AuditService,
    createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: token ? [bearer(token)] : [] }),
  );

describe("bearerAuth", () => {
  it("refuses missing and wrong tokens without echoing them, and slows repeated failures down", async () => {
    const missing = await expectConnectError(client().listAuditEvents({}), Code.Unauthenticated, "missing admin token");
    expect(missing.rawMessage).toBe("missing admin token");
    const started = performance.now();
    for (let i = 0; i < 2; i++) {
      const wrong = await expectConnectError(
        client("guess-token").listAuditEvents({}),
        Code.Unauthenticated,
        "invalid admin token",
      );
      expect(wrong.rawMessage).not.toContain("guess-token");
    }
    // Failures 2 and 3 from this address waited 100 + 200 ms (a lower bound only).
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    // The right token still works once the running penalty has passed.
    await expect(client("right-token").listAuditEvents({})).resolves.toMatchObject({ events: [] });
  });
});
