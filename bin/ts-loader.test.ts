import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// Every tollgate process runs its TypeScript through bin/ts-loader.js; if the hook stopped applying
// (a tsx upgrade, a changed URL shape), closures would be wrapped in __name() again on every request.
const run = promisify(execFile);
const loader = fileURLToPath(new URL("./ts-loader.js", import.meta.url));
const fixture = fileURLToPath(new URL("./test-fixtures/closure-source.ts", import.meta.url));

describe("bin/ts-loader.js", () => {
  it("runs TypeScript without wrapping closures in __name()", async () => {
    const { stdout } = await run(process.execPath, ["--import", loader, fixture]);
    expect(stdout).toContain("const settle = (outcome) =>");
    expect(stdout).not.toContain("__name");
  });
});
