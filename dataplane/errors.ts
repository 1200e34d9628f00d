// One error type with a closed set of stable codes (DESIGN §5.2). Each protocol folder maps it once
// to its own envelope; nothing else formats errors.

export const ERROR_STATUS = {
  INVALID_REQUEST: 400,
  REQUEST_TOO_LARGE: 413,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  API_KEY_REQUIRED: 401,
  INVALID_API_KEY: 401,
  API_KEY_DISABLED: 401,
  API_KEY_EXPIRED: 403,
  API_KEY_QUOTA_EXHAUSTED: 429,
  ACCESS_DENIED: 403,
  INSUFFICIENT_BALANCE: 403,
  USER_DISABLED: 403,
  GROUP_DISABLED: 403,
  CLAUDE_CODE_ONLY: 403,
  MODEL_NOT_AVAILABLE: 400,
  CONCURRENCY_LIMIT: 429,
  NO_AVAILABLE_ACCOUNT: 503,
  UPSTREAM_RATE_LIMITED: 429,
  UPSTREAM_OVERLOADED: 503,
  UPSTREAM_ERROR: 502,
  UPSTREAM_TIMEOUT: 504,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, status: number = ERROR_STATUS[code]) {
    super(message);
    this.name = "GatewayError";
    this.code = code;
    this.status = status;
  }
}
