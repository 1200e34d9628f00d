import type { ServerResponse } from "node:http";
import type { ParsedBody } from "./body.js";
import { parseFaultSteps } from "./fault-script.js";
import { isObject } from "./json.js";
import type { SimState } from "./state.js";

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function bad(res: ServerResponse, message: string): void {
  reply(res, 400, { error: { message, type: "invalid_request" } });
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

/**
 * The HTTP control API, so tests in other processes can script the simulator:
 * POST /_sim/script {credential, steps}, POST /_sim/link {credential, account},
 * GET /_sim/requests, DELETE /_sim/requests, POST /_sim/reset.
 */
export function handleControl(state: SimState, method: string, path: string, body: ParsedBody, res: ServerResponse) {
  const route = `${method} ${path}`;
  if (route === "GET /_sim/requests") return reply(res, 200, state.log.list());
  if (route === "DELETE /_sim/requests") {
    state.log.clear();
    return reply(res, 200, { ok: true });
  }
  if (route === "POST /_sim/reset") {
    state.reset();
    return reply(res, 200, { ok: true });
  }
  if (route !== "POST /_sim/script" && route !== "POST /_sim/link") {
    return reply(res, 404, { error: { message: `No control route ${route}`, type: "not_found" } });
  }
  if (body.invalid || !isObject(body.value)) return bad(res, "body must be a JSON object");
  const { credential } = body.value;
  if (!nonEmptyString(credential)) return bad(res, "credential must be a non-empty string");
  if (route === "POST /_sim/link") {
    const { account } = body.value;
    if (!nonEmptyString(account)) return bad(res, "account must be a non-empty string");
    state.accounts.link(credential, account);
    return reply(res, 200, { ok: true });
  }
  const steps = parseFaultSteps(body.value.steps);
  if (typeof steps === "string") return bad(res, steps);
  state.script.add(state.accounts.accountOf(credential), steps);
  return reply(res, 200, { ok: true });
}
