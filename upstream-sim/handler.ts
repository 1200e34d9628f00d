import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type ParsedBody, parseBody, splitTarget } from "./body.js";
import { handleControl } from "./control-api.js";
import { type FoundCredential, findCredential } from "./credentials.js";
import { HANG, planWithStep } from "./faults.js";
import { isObject } from "./json.js";
import { jsonPlan, type ResponsePlan } from "./plan.js";
import { errorEnvelope } from "./protocols/errors.js";
import { type RequestContext, requestModel, surfaceOf } from "./respond.js";
import { matchRoute, type Route } from "./routes.js";
import { sendPlan } from "./send.js";
import type { SimState } from "./state.js";
import type { Protocol, SimRequest } from "./types.js";

const REQUEST_ID_HEADERS: Partial<Record<Protocol, string>> = {
  anthropic: "request-id",
  openai: "x-request-id",
};

function now(): number {
  return performance.timeOrigin + performance.now();
}

function headerNumber(headers: IncomingHttpHeaders, name: string): number | undefined {
  const value = headers[name];
  if (typeof value !== "string") return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** The OAuth endpoint's credential is the refresh token in its body; every other route's is in the headers. */
function credentialOf(route: Route, req: IncomingMessage, query: Record<string, string>, body: unknown) {
  if (route.protocol !== "oauth") return findCredential(req.headers, query);
  const token = isObject(body) ? body.refresh_token : undefined;
  return typeof token === "string" && token !== "" ? ({ credential: token, source: "refresh_token" } as const) : null;
}

/** The log fields known as soon as a request has arrived. */
function arrival(state: SimState, req: IncomingMessage, time: number, found: FoundCredential | null) {
  const { path, query } = splitTarget(req.url ?? "/");
  return {
    time,
    method: req.method ?? "GET",
    path,
    query,
    headers: req.headers,
    credential: found?.credential ?? null,
    credentialSource: found?.source ?? null,
    account: found ? state.accounts.accountOf(found.credential) : null,
  };
}

/** Problems answered before any scripted step applies: unknown route, no credential, bad body. */
function precheck(
  state: SimState,
  route: Route,
  found: FoundCredential | null,
  body: ParsedBody,
  headers: OutgoingHttpHeaders,
): ResponsePlan | null {
  const fail = (status: number, message: string, type?: string) =>
    jsonPlan(status, errorEnvelope(route.protocol, status, message, type).body, headers);
  if (route.operation === "head") return jsonPlan(200, "", { "content-length": 0 });
  if (route.operation === "not_found") return fail(404, "Not found");
  if (!found) {
    return route.protocol === "oauth"
      ? fail(400, "refresh_token is required", "invalid_request")
      : fail(401, "Missing API key or bearer token");
  }
  if (state.accounts.isExpired(found.credential, Date.now())) return fail(401, "OAuth token has expired");
  if (body.invalid) return fail(400, "Request body is not valid JSON");
  if (surfaceOf(route) && !isObject(body.value)) return fail(400, "Request body must be a JSON object");
  return null;
}

function track(state: SimState, res: ServerResponse, entry: SimRequest): (plan: ResponsePlan) => void {
  res.on("close", () => {
    if (entry.outcome === "pending") entry.outcome = res.writableFinished ? "complete" : "aborted";
    if (!state.settings.quiet) {
      const line = `${entry.method} ${entry.path} ${entry.status ?? "-"} ${entry.outcome} account=${entry.account ?? "-"}`;
      process.stdout.write(`${line}\n`);
    }
  });
  return (plan) => {
    entry.status = plan.status;
    sendPlan(
      res,
      plan,
      (outcome) => {
        entry.outcome = outcome;
      },
      state.settings.stampChunks,
    );
  };
}

function serve(state: SimState, req: IncomingMessage, res: ServerResponse, time: number, rawBody: string): void {
  const { path, query } = splitTarget(req.url ?? "/");
  const method = req.method ?? "GET";
  const route = matchRoute(method, path, req.headers["anthropic-version"] !== undefined);
  const body = parseBody(rawBody, req.headers["content-type"]);
  if (route.protocol === "sim") {
    handleControl(state, method, path, body, res);
    return;
  }

  const found = credentialOf(route, req, query, body.value);
  const surface = surfaceOf(route);
  const entry = state.log.add({
    ...arrival(state, req, time, found),
    body: body.value,
    bodyBytes: Buffer.byteLength(rawBody),
    protocol: route.protocol,
    operation: route.operation,
    antigravity: route.antigravity,
    model: requestModel(route, body.value),
    stream: surface !== undefined && isObject(body.value) && surface.isStream(body.value, query),
    status: null,
    fault: null,
    outcome: "pending",
  });
  const send = track(state, res, entry);
  const responseHeaders: OutgoingHttpHeaders = { "x-sim-request-id": String(entry.id) };
  const requestIdHeader = REQUEST_ID_HEADERS[route.protocol];
  if (requestIdHeader) responseHeaders[requestIdHeader] = `req_sim_${entry.id}`;

  const rejected = precheck(state, route, found, body, responseHeaders);
  if (rejected || entry.account === null) {
    if (rejected) send(rejected);
    return;
  }

  const step = state.script.next(entry.account);
  entry.fault = step;
  const ctx: RequestContext = { route, query, body: body.value, rawBody, account: entry.account, responseHeaders };
  const chunks = headerNumber(req.headers, "x-sim-chunks");
  const chunkDelayMs = headerNumber(req.headers, "x-sim-chunk-delay-ms");
  const respond = () => {
    if (res.destroyed) return;
    const plan = planWithStep(state, ctx, step, chunks, chunkDelayMs);
    if (plan !== HANG) send(plan);
  };
  if (!step?.delayMs) {
    respond();
    return;
  }
  const timer = setTimeout(respond, step.delayMs);
  res.on("close", () => clearTimeout(timer));
}

/** The simulator's request listener: reads the body, then answers as the addressed provider would. */
export function handleRequest(state: SimState, req: IncomingMessage, res: ServerResponse): void {
  const time = now();
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const raw = chunks.length === 0 ? "" : Buffer.concat(chunks).toString("utf8");
    serve(state, req, res, time, raw);
  });
}

/** Codex tries a WebSocket upgrade on GET /v1/responses first; a 404 makes it fall back to SSE. */
export function refuseUpgrade(state: SimState, req: IncomingMessage, socket: Duplex): void {
  const found = findCredential(req.headers, splitTarget(req.url ?? "/").query);
  state.log.add({
    ...arrival(state, req, now(), found),
    body: null,
    bodyBytes: 0,
    protocol: "openai",
    operation: "websocket",
    antigravity: false,
    model: null,
    stream: false,
    status: 404,
    fault: null,
    outcome: "complete",
  });
  const body = JSON.stringify(errorEnvelope("openai", 404, "WebSocket is not supported").body);
  socket.end(
    `HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
