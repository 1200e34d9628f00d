import { createHash, timingSafeEqual } from "node:crypto";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { type AuthThrottle, peerAddress } from "./auth-throttle.js";

// `Authorization: Bearer <token>` on every method of a service. Both sides are hashed first so the
// comparison is constant-time whatever the lengths. With a throttle, repeated failures from one
// address are answered more and more slowly.

const digest = (text: string) => createHash("sha256").update(text).digest();

export function bearerAuth(token: string, what: string, throttle?: AuthThrottle): Interceptor {
  const expected = digest(token);
  return (next) => async (req) => {
    const address = req.contextValues.get(peerAddress);
    await throttle?.admit(address);
    const header = req.header.get("authorization") ?? "";
    const presented = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
    if (presented === "" || !timingSafeEqual(digest(presented), expected)) {
      await throttle?.failed(address);
      throw new ConnectError(`${presented === "" ? "missing" : "invalid"} ${what} token`, Code.Unauthenticated);
    }
    throttle?.succeeded(address);
    return next(req);
  };
}
