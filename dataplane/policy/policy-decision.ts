import type { ErrorCode } from "../errors.js";

/** A refusal the caller turns into a GatewayError in its protocol's envelope. */
export interface PolicyRefusal {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly message: string;
}

export type PolicyDecision = { readonly ok: true } | PolicyRefusal;

export const ALLOWED: { readonly ok: true } = Object.freeze({ ok: true });

export function refuse(code: ErrorCode, message: string): PolicyRefusal {
  return { ok: false, code, message };
}
