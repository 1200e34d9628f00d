import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// The bench's floor proxy runs its TypeScript through bin/ts-loader.js, as Tollgate's build is compiled
// (bin/build.js); if the hook stopped applying (an esbuild option, a changed URL shape), the floor's
// closures would be wrapped in __name() on every request and the comparison would favour Tollgate.
const run = promisify(execFile);
const loader = fileURLToPath(new URL("./ts-loader.js", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./test-fixtures/${name}`, import.meta.url));

describe("bin/ts-loader.js", () => {
  it("runs TypeScript without wrapping closures in __name()", async () => {
    const { stdout } = await run(process.execPath, ["--import", loader, fixture("closure-source.ts")]);
    expect(stdout).toContain("const settle = (outcome) =>");
    expect(stdout).not.toContain("__name");
  });

  it("imports a TypeScript module by the name of its compiled file, as the sources do", async () => {
    const { stdout } = await run(process.execPath, ["--import", loader, fixture("compiled-name.ts")]);
    expect(stdout).toBe("answer: 42\n");
  });
});
