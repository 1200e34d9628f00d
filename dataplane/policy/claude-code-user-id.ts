// Claude Code's `metadata.user_id` (CLIENTS.md). Current clients send a JSON string
// {"device_id":"<64 hex>","account_uuid":"","session_id":"<uuid>"} (extra keys may come first);
// older ones `user_<64 hex>_account_<uuid or empty>_session_<uuid>`. Both carry the session id,
// which equals the x-claude-code-session-id header.

export interface ClaudeCodeUserId {
  deviceId: string;
  accountUuid: string;
  sessionId: string;
  form: "json" | "legacy";
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEVICE_ID = /^[0-9a-f]{64}$/i;
const LEGACY =
  /^user_([0-9a-f]{64})_account_([0-9a-f-]*)_session_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
// Real values are ~150 characters; anything much longer is not Claude Code's and not worth parsing.
const MAX_LENGTH = 1024;

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

function parseJsonForm(text: string): ClaudeCodeUserId | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { device_id: deviceId, account_uuid: accountUuid, session_id: sessionId } = parsed as Record<string, unknown>;
  if (typeof deviceId !== "string" || !DEVICE_ID.test(deviceId) || !isUuid(sessionId)) return undefined;
  return { deviceId, accountUuid: typeof accountUuid === "string" ? accountUuid : "", sessionId, form: "json" };
}

/** The parsed `metadata.user_id`, or undefined when it has neither of Claude Code's shapes. */
export function parseClaudeCodeUserId(value: unknown): ClaudeCodeUserId | undefined {
  if (typeof value !== "string" || value.length > MAX_LENGTH) return undefined;
  if (value.startsWith("{")) return parseJsonForm(value);
  const legacy = LEGACY.exec(value);
  if (!legacy) return undefined;
  return {
    deviceId: legacy[1] as string,
    accountUuid: legacy[2] as string,
    sessionId: legacy[3] as string,
    form: "legacy",
  };
}

/** `body.metadata.user_id` of an Anthropic Messages body, parsed. */
export function claudeCodeUserIdOf(body: unknown): ClaudeCodeUserId | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const metadata = (body as { metadata?: unknown }).metadata;
  if (typeof metadata !== "object" || metadata === null) return undefined;
  return parseClaudeCodeUserId((metadata as { user_id?: unknown }).user_id);
}
