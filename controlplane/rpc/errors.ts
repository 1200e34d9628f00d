import { Code, ConnectError } from "@connectrpc/connect";

// Admin API errors name what was wrong (DESIGN §3): the field for bad input, the entity for a missing id.

export function invalidArgument(field: string, problem: string): ConnectError {
  return new ConnectError(`${field}: ${problem}`, Code.InvalidArgument);
}

/** `field` names where a missing reference came from, when it is not the request's own id. */
export function notFound(what: string, id: string, field?: string): ConnectError {
  return new ConnectError(`${field ? `${field}: ` : ""}${what} "${id}" not found`, Code.NotFound);
}

export function alreadyExists(message: string): ConnectError {
  return new ConnectError(message, Code.AlreadyExists);
}

export function failedPrecondition(message: string): ConnectError {
  return new ConnectError(message, Code.FailedPrecondition);
}
