import { createHash, timingSafeEqual } from "node:crypto";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

// `Authorization: Bearer <token>` on every method of a service. Both sides are hashed first so the
// comparison is constant-time whatever the lengths.

const digest = (text: string) => createHash("sha256").update(text).digest();

export function bearerAuth(token: string, what: string): Interceptor {
  const expected = digest(token);
  return (next) => async (req) => {
    const header = req.header.get("authorization") ?? "";
    const presented = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
    if (presented === "") throw new ConnectError(`missing ${what} token`, Code.Unauthenticated);
    if (!timingSafeEqual(digest(presented), expected))
      throw new ConnectError(`invalid ${what} token`, Code.Unauthenticated);
    return next(req);
  };
}
