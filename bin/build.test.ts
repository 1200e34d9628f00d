import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// bin/tollgate.js runs what currentBuild() returns: it must always be the build of the sources as they
// are now, without rebuilding what has not changed. A throwaway source tree stands in for the repository.
const run = promisify(execFile);
const BUILD = new URL("./build.js", import.meta.url).href;
const REPO_TSCONFIG = fileURLToPath(new URL("../tsconfig.json", import.meta.url));
let root: string;

const writeValue = (value: string) =>
  writeFile(join(root, "cli/value.ts"), `export const value: string = ${JSON.stringify(value)};\n`);
/** currentBuild() in a process of its own, as each starting tollgate process calls it. */
const buildInProcess = async () =>
  (
    await run(process.execPath, [
      "--input-type=module",
      "-e",
      `const { currentBuild } = await import(${JSON.stringify(BUILD)}); console.log(await currentBuild(${JSON.stringify(root)}));`,
    ])
  ).stdout.trim();
const runMain = async (build: string) => (await run(process.execPath, [join(build, "cli/main.js")])).stdout;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tollgate-build-"));
  await mkdir(join(root, "cli"));
  await copyFile(REPO_TSCONFIG, join(root, "tsconfig.json"));
  await writeFile(join(root, "package.json"), '{ "type": "module" }\n');
  await writeFile(
    join(root, "cli/main.ts"),
    'import { value } from "./value.js";\nconst show = (text: string) => console.log(text);\nshow(value);\n',
  );
  await writeFile(join(root, "cli/main.test.ts"), "throw new Error('tests are not built');\n");
  await writeValue("one");
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("bin/build.js", () => {
  it("builds the sources once, and again when one changes", async () => {
    const first = await buildInProcess();
    expect(await runMain(first)).toBe("one\n");
    expect(await readdir(join(first, "cli"))).toEqual(["main.js", "value.js"]);
    // Without esbuild's keepNames, which would wrap every closure in __name() when it is created.
    expect(await readFile(join(first, "cli/main.js"), "utf8")).not.toContain("__name");
    expect(await buildInProcess()).toBe(first);

    await writeValue("two");
    const second = await buildInProcess();
    expect(second).not.toBe(first);
    expect(await runMain(second)).toBe("two\n");
  });

  it("gives processes that start together one build", async () => {
    await writeValue("three");
    const builds = await Promise.all([buildInProcess(), buildInProcess(), buildInProcess()]);
    expect(new Set(builds).size).toBe(1);
    expect(await runMain(builds[0] as string)).toBe("three\n");
    expect((await readdir(join(root, ".build"))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("keeps a build used while a process holds it, so removal spares it", async () => {
    const build = await buildInProcess();
    const twoDaysAgo = new Date(Date.now() - 48 * 60 * 60_000);
    await utimes(build, twoDaysAgo, twoDaysAgo);
    // A process running from the build (holding it every 20 ms here) for a while.
    await run(process.execPath, [
      "--input-type=module",
      "-e",
      `const { holdBuild } = await import(${JSON.stringify(BUILD)}); holdBuild(${JSON.stringify(build)}, 20); setTimeout(() => {}, 200);`,
    ]);
    expect(Date.now() - (await stat(build)).mtimeMs).toBeLessThan(60_000);
  });

  it("removes, when it builds, the builds no process has started from for a day", async () => {
    const builds = join(root, ".build");
    const twoDaysAgo = new Date(Date.now() - 48 * 60 * 60_000);
    const unused = join(builds, "0000000000000000");
    await mkdir(unused);
    await utimes(unused, twoDaysAgo, twoDaysAgo);
    // Made long ago, and started from just now.
    const current = await buildInProcess();
    await utimes(current, twoDaysAgo, twoDaysAgo);
    expect(await buildInProcess()).toBe(current);

    await writeValue("four");
    const next = await buildInProcess();
    const left = await readdir(builds);
    expect(left).not.toContain("0000000000000000");
    expect(left).toContain(basename(current));
    expect(left).toContain(basename(next));
  });
});
