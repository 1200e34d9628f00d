import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveSecret } from "./secrets.js";

describe("resolveSecret", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tollgate-secrets-"));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("prefers the environment and writes nothing", async () => {
    expect(await resolveSecret(dir, "env-token", " from-env ")).toEqual({ value: "from-env" });
    await expect(stat(join(dir, "env-token"))).rejects.toThrow();
  });

  it("generates once into the data dir, private, and reads it back afterwards", async () => {
    const first = await resolveSecret(dir, "admin-token", undefined, "tg-admin-");
    expect(first.value).toMatch(/^tg-admin-[\w-]{43}$/);
    expect(first.generatedAt).toBe(join(dir, "admin-token"));
    expect((await stat(join(dir, "admin-token"))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dir, "admin-token"), "utf8")).trim()).toBe(first.value);
    expect(await resolveSecret(dir, "admin-token", "", "tg-admin-")).toEqual({ value: first.value });
  });
});
