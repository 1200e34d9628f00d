import type { IncomingMessage, ServerResponse } from "node:http";
import { newId } from "../../common/ids.js";
import { GatewayError } from "../errors.js";
import { pathOf, queryOf, type RequestView, type Surface } from "../policy/request-view.js";
import type { Protocol } from "../protocols/protocol.js";
import { groupModels } from "../routing/group-models.js";
import { identifyCaller } from "./caller.js";
import type { ProxyDeps } from "./deps.js";
import { sendError } from "./respond.js";

// GET /v1/models and /v1beta/models: the models the caller's group can reach, answered from the
// pushed config in the protocol's own list shape.

export interface ModelListRoute {
  surface: Surface;
  /** The protocol whose envelope errors use. */
  protocol: Pick<Protocol, "errorBody">;
  format(ids: readonly string[]): string;
  search: string;
}

export function listModels(deps: ProxyDeps, req: IncomingMessage, res: ServerResponse, route: ModelListRoute): void {
  const config = deps.config.current;
  const view: RequestView = {
    path: pathOf(req.url),
    query: queryOf(route.search),
    headers: req.headers as RequestView["headers"],
    body: undefined,
  };
  const caller = identifyCaller(config, view, route.surface, deps.clientIp(req), Date.now(), deps.log, newId());
  if (caller instanceof GatewayError) {
    sendError(res, route.protocol, caller);
    return;
  }
  const body = route.format(groupModels(config.accountsByGroup.get(caller.serving.id) ?? []));
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
