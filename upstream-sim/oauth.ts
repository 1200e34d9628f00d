import { isObject } from "./json.js";

export type RefreshRequest =
  | { ok: true; refreshToken: string }
  | { ok: false; status: number; error: string; description: string };

/** Reads a refresh-token grant (RFC 6749 §6) from a form or JSON body. */
export function parseRefreshRequest(body: unknown): RefreshRequest {
  if (!isObject(body))
    return { ok: false, status: 400, error: "invalid_request", description: "body must be a form or JSON object" };
  if (body.grant_type !== "refresh_token") {
    return { ok: false, status: 400, error: "unsupported_grant_type", description: "grant_type must be refresh_token" };
  }
  if (typeof body.refresh_token !== "string" || body.refresh_token === "") {
    return { ok: false, status: 400, error: "invalid_request", description: "refresh_token is required" };
  }
  return { ok: true, refreshToken: body.refresh_token };
}
