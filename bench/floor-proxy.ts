import { Agent, createServer, type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable, Writable } from "node:stream";
import { parseArgs } from "node:util";
import { Pool } from "undici";

// The floor: the least a Node proxy can do for one request. A node:http server, an undici keep-alive
// pool to one upstream, bodies piped through both ways, hop-by-hop headers dropped. No auth, no
// policy, no usage: whatever Tollgate costs above this is the price of being a gateway. With --agent
// the upstream side is node:http's keep-alive Agent instead (contender floor-agent), the issue's
// wording of the floor, to compare the two in one sitting.
// Usage: node --import ./bin/ts-loader.js bench/floor-proxy.ts --upstream http://127.0.0.1:PORT [--port N] [--agent]

const { values } = parseArgs({
  options: { upstream: { type: "string" }, port: { type: "string", default: "0" }, agent: { type: "boolean" } },
});
if (!values.upstream) throw new Error("--upstream URL is required");
const upstreamUrl = new URL(values.upstream);
const pool = new Pool(upstreamUrl.origin, { keepAliveTimeout: 30_000 });
const agent = new Agent({ keepAlive: true });
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "te", "trailer", "upgrade"]);

// Piped, not pipeline(): pipeline() makes an AbortController per call and aborts it when done, which
// builds a DOMException with its stack: 14% of the floor's CPU at 500 requests/s (`--cpu-prof`), a
// cost no proxy needs. An error on either side, or the client leaving, still ends both.
function pipeThrough(from: Readable, to: Writable): void {
  from.on("error", (error) => to.destroy(error));
  to.on("close", () => from.destroy());
  from.pipe(to);
}

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const method = req.method === "GET" ? "GET" : "POST";
  const unreachable = () => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end("upstream unreachable");
  };
  if (values.agent) {
    const { hostname, port } = upstreamUrl;
    const headers = endToEnd(req.headers);
    const outgoing = request({ hostname, port, path: req.url, method, headers, agent }, (upstream) => {
      res.writeHead(upstream.statusCode ?? 502, endToEnd(upstream.headers));
      pipeThrough(upstream, res);
    });
    outgoing.on("error", unreachable);
    pipeThrough(req, outgoing);
    return;
  }
  pool
    .request({ path: req.url ?? "/", method, headers: endToEnd(req.headers), body: method === "POST" ? req : null })
    .then((upstream) => {
      res.writeHead(upstream.statusCode, endToEnd(upstream.headers));
      pipeThrough(upstream.body, res);
    }, unreachable);
});
server.listen(Number(values.port), "127.0.0.1", () => {
  process.stdout.write(`floor proxy on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
