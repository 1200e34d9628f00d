import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Log } from "../context.js";

// Errors the handlers did not anticipate become one generic Connect error: the caller never sees SQL or
// driver details, and the log gets the driver's own message (never the query parameters).

function driverError(error: unknown): { code?: string; message: string } {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const found = current as { code?: unknown; message?: unknown };
  return { code: typeof found?.code === "string" ? found.code : undefined, message: String(found?.message ?? error) };
}

function toConnectError(error: unknown, method: string, log: Log): ConnectError {
  if (error instanceof ConnectError) return error;
  const cause = driverError(error);
  // A unique index caught a race the handler's own check could not see.
  if (cause.code === "23505") return new ConnectError("already exists", Code.AlreadyExists);
  // PostgreSQL's data exceptions (class 22: a NUL in text, a number too large for its column) are bad input.
  if (cause.code?.startsWith("22")) return new ConnectError(`invalid value: ${cause.message}`, Code.InvalidArgument);
  log({ level: "error", msg: "unexpected error in RPC", method, error: cause.message });
  return new ConnectError("internal error", Code.Internal);
}

export function errorBoundary(log: Log): Interceptor {
  return (next) => async (req) => {
    const method = `${req.service.name}/${req.method.name}`;
    try {
      const res = await next(req);
      if (!res.stream) return res;
      const messages = res.message;
      return {
        ...res,
        message: (async function* () {
          try {
            yield* messages;
          } catch (error) {
            throw toConnectError(error, method, log);
          }
        })(),
      };
    } catch (error) {
      throw toConnectError(error, method, log);
    }
  };
}
