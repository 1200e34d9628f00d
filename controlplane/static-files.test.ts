import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staticFiles } from "./static-files.js";

describe("staticFiles", () => {
  let root: string;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const parent = await mkdtemp(join(tmpdir(), "tollgate-web-"));
    root = join(parent, "dist");
    await mkdir(join(root, "assets"), { recursive: true });
    await writeFile(join(root, "index.html"), "<html>app</html>");
    await writeFile(join(root, "assets", "app.js"), "console.log(1)");
    await writeFile(join(parent, "secret.txt"), "outside");
    server = createServer(staticFiles(root));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(join(root, ".."), { recursive: true, force: true });
  });

  it.each([
    ["/", 200, "text/html; charset=utf-8", "<html>app</html>"],
    ["/assets/app.js", 200, "text/javascript; charset=utf-8", "console.log(1)"],
    ["/users/42", 200, "text/html; charset=utf-8", "<html>app</html>"],
    ["/assets/missing.js", 404, "text/plain; charset=utf-8", "not found\n"],
    ["/%2e%2e/secret.txt", 404, "text/plain; charset=utf-8", "not found\n"],
    ["/..%2fsecret.txt", 404, "text/plain; charset=utf-8", "not found\n"],
  ])("GET %s -> %i", async (path, status, type, body) => {
    const response = await fetch(`${base}${path}`);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe(type);
    expect(await response.text()).toBe(body);
  });

  it("answers only GET and HEAD", async () => {
    expect((await fetch(`${base}/`, { method: "POST" })).status).toBe(404);
    const head = await fetch(`${base}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });
});
