import { hash } from "node:crypto";
import type { ApiKey, Group, User } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { ConfigView } from "../config/config-view.js";
import { GatewayError } from "../errors.js";
import { extractApiKey } from "../policy/api-key-extract.js";
import { type CompiledKey, type CompiledUser, checkKey, compileKey, compileUser } from "../policy/key-check.js";
import type { RequestView, Surface } from "../policy/request-view.js";

// Steps 2-3 of DESIGN §5: key from the request, looked up in the pushed config by the hash of the
// secret (no database on the request path), then the key/user/IP policy. Compiled records are cached
// per config object, so a new config version recompiles only what changed.

export interface Authorized {
  key: CompiledKey<ApiKey>;
  user: CompiledUser<User>;
  group: Group;
}

const compiledKeys = new WeakMap<ApiKey, CompiledKey<ApiKey>>();
const compiledUsers = new WeakMap<User, CompiledUser<User>>();

// One-shot hash: a third of createHash's cost (0.5 against 1.5 µs here), on every request.
export function hashSecret(secret: string): string {
  return hash("sha256", secret, "hex");
}

/** The key the request presents, found in the pushed config by the hash of its secret. */
export function findKey(config: ConfigView, view: RequestView, surface: Surface): ApiKey | GatewayError {
  const presented = extractApiKey(view, surface);
  if (!presented) return new GatewayError("API_KEY_REQUIRED", "API key is required");
  return config.keysByHash.get(hashSecret(presented.key)) ?? new GatewayError("INVALID_API_KEY", "Invalid API key");
}

export function authorize(
  config: ConfigView,
  view: RequestView,
  surface: Surface,
  clientIp: string,
  now: number,
): Authorized | GatewayError {
  const record = findKey(config, view, surface);
  if (record instanceof GatewayError) return record;

  let key = compiledKeys.get(record);
  if (!key) {
    key = compileKey(record);
    compiledKeys.set(record, key);
  }
  const userRecord = config.users.get(record.userId);
  let user = userRecord && compiledUsers.get(userRecord);
  if (userRecord && !user) {
    user = compileUser(userRecord);
    compiledUsers.set(userRecord, user);
  }
  const group = config.groups.get(record.groupId);
  const decision = checkKey(key, user, group, clientIp, now);
  if (!decision.ok) return new GatewayError(decision.code, decision.message);
  return { key, user: user as CompiledUser<User>, group: group as Group };
}
