import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill("SIGTERM");
  child = undefined;
});

function run(args: string[]): ChildProcess {
  const script = `import("./upstream-sim/cli.ts").then((m) => m.runUpstreamSimCommand(${JSON.stringify(args)}))`;
  return spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.includes("\n")) break;
  }
  return text.split("\n")[0] ?? "";
}

describe("tollgate upstream-sim", () => {
  it("listens where told and prints its URL", async () => {
    child = run(["--port", "0", "--host", "127.0.0.1"]);
    const line = await firstLine(child.stdout as NodeJS.ReadableStream);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)?.[1];
    expect(url).toBeDefined();
    const res = await fetch(`${url}/v1/models`, { headers: { authorization: "Bearer cli" } });
    expect(res.status).toBe(200);
  });

  it("keeps no request log with --log-limit 0", async () => {
    const requestsSeen = async (args: string[]) => {
      child?.kill("SIGTERM");
      child = run(["--port", "0", ...args]);
      const url = /listening on (\S+)$/.exec(await firstLine(child.stdout as NodeJS.ReadableStream))?.[1];
      await fetch(`${url}/v1/models`, { headers: { authorization: "Bearer cli" } });
      return ((await (await fetch(`${url}/_sim/requests`)).json()) as unknown[]).length;
    };
    expect(await requestsSeen([])).toBe(1);
    expect(await requestsSeen(["--log-limit", "0"])).toBe(0);
  });

  it("refuses a bad option with usage and exit code 2", async () => {
    child = run(["--port", "eighty"]);
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
  });
});
