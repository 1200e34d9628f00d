import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// Every tollgate process runs its TypeScript through bin/ts-loader.js; if the hook stopped applying
// (an esbuild option, a changed URL shape), closures would be wrapped in __name() again on every request.
const run = promisify(execFile);
const loader = fileURLToPath(new URL("./ts-loader.js", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./test-fixtures/${name}`, import.meta.url));

describe("bin/ts-loader.js", () => {
  it("runs TypeScript without wrapping closures in __name()", async () => {
    const { stdout } = await run(process.execPath, ["--import", loader, fixture("closure-source.ts")]);
    expect(stdout).toContain("const settle = (outcome) =>");
    expect(stdout).not.toContain("__name");
  });

  // esbuild compiles in a child process of about 17 MB; a gateway process keeps none once it has
  // loaded, and can still load a module later (a command's lazily imported code).
  it("stops its compiler once modules have loaded, and compiles again for a later import", async () => {
    const { stdout } = await run(process.execPath, ["--import", loader, fixture("compiler-idle.ts")]);
    expect(stdout).toBe("loaded: 1\nidle: 0\nlate import: 42\n");
  });
});
