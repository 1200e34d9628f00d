import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

// A node:http server for a preload's test, run in a process of its own under the preload, whose
// report lines go to stderr. `handlerModule` is module code defining `handle(req, res)`.

export interface PreloadedServer {
  port: number;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  stop(): void;
}

export async function startPreloaded(
  preload: string,
  handlerModule: string,
  env: Record<string, string> = {},
): Promise<PreloadedServer> {
  const source = `import { createServer } from "node:http";
${handlerModule}
const server = createServer(handle);
server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
  const child: ChildProcess = spawn(process.execPath, ["--import", preload, "--input-type=module", "-e", source], {
    env: { ...process.env, ...env },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [portLine] = (await once(child.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
  return { port: Number(portLine.toString().trim()), stderr: () => stderr, stop: () => child.kill() };
}
