import { parseArgs } from "node:util";
import { startUpstreamSim } from "./index.js";

const USAGE = `usage: tollgate upstream-sim [--port N] [--host ADDR] [--chunks N] [--chunk-delay-ms MS] [--stamp-chunks] [--log-limit N] [--verbose]

A local simulated Anthropic / OpenAI / Gemini / Antigravity upstream (see upstream-sim/README.md).
  --port N             port to listen on (default 8090)
  --host ADDR          address to bind (default 127.0.0.1)
  --chunks N           stream every answer as N text chunks (the reply repeated N times)
  --chunk-delay-ms MS  pause between streamed chunks
  --stamp-chunks       start each chunk written after a pause with ": sent-at <process.hrtime ns>"
  --log-limit N        requests kept for GET /_sim/requests (default 5000; 0 keeps none)
  --verbose            print one line per request
`;

function count(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}

/** `tollgate upstream-sim`: runs the simulator until the process is stopped. */
export async function runUpstreamSimCommand(args: string[]): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    process.stderr.write(`tollgate upstream-sim: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return;
  }
  const sim = await startUpstreamSim({
    port: parsed.port ?? 8090,
    host: parsed.host,
    chunks: parsed.chunks || undefined,
    chunkDelayMs: parsed.chunkDelayMs,
    stampChunks: parsed.stampChunks,
    logLimit: parsed.logLimit,
    quiet: !parsed.verbose,
  });
  process.stdout.write(`upstream-sim listening on ${sim.url}\n`);
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function parse(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      chunks: { type: "string" },
      "chunk-delay-ms": { type: "string" },
      "stamp-chunks": { type: "boolean" },
      "log-limit": { type: "string" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  return {
    port: count(values.port, "port"),
    host: values.host,
    chunks: count(values.chunks, "chunks"),
    chunkDelayMs: count(values["chunk-delay-ms"], "chunk-delay-ms"),
    stampChunks: values["stamp-chunks"] ?? false,
    logLimit: count(values["log-limit"], "log-limit"),
    verbose: values.verbose ?? false,
    help: values.help ?? false,
  };
}
