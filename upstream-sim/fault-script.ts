import { isObject } from "./json.js";
import type { FaultKind, FaultStep, RateLimitHint } from "./types.js";

const HINTS: ReadonlySet<string> = new Set<RateLimitHint>([
  "anthropic-unified-reset",
  "retry-after",
  "openai-resets-at",
  "openai-resets-in",
  "gemini-retry-delay",
  "gemini-quota-reset-delay",
  "gemini-message",
]);

type FieldCheck = (value: unknown) => boolean;

const isCount: FieldCheck = (v) => Number.isInteger(v) && (v as number) >= 0;
const isPositiveCount: FieldCheck = (v) => Number.isInteger(v) && (v as number) >= 1;
const isDuration: FieldCheck = (v) => typeof v === "number" && Number.isFinite(v) && v >= 0;
const isStatus: FieldCheck = (v) => Number.isInteger(v) && (v as number) >= 100 && (v as number) <= 599;
const isString: FieldCheck = (v) => typeof v === "string";
const isHeaders: FieldCheck = (v) => isObject(v) && Object.values(v).every((h) => typeof h === "string");
const isHints: FieldCheck = (v) => Array.isArray(v) && v.every((h) => typeof h === "string" && HINTS.has(h));
const anything: FieldCheck = () => true;

/** Fields each kind allows (beyond `kind`, `times`, `delayMs`), and which of them are required. */
const KINDS: Record<FaultKind, { fields: Record<string, FieldCheck>; required?: string[] }> = {
  status: { fields: { status: isStatus, body: anything, headers: isHeaders }, required: ["status"] },
  "rate-limit": { fields: { resetSeconds: isDuration, hints: isHints, status: isStatus } },
  overloaded: { fields: { status: isStatus } },
  "invalid-project": { fields: {} },
  "empty-stream": { fields: {} },
  "cut-stream": { fields: { afterEvents: isCount }, required: ["afterEvents"] },
  "stream-error": { fields: { afterEvents: isCount, errorType: isString, message: isString } },
  reply: { fields: { text: isString, chunks: isPositiveCount, chunkDelayMs: isDuration } },
  hang: { fields: {} },
};

const COMMON: Record<string, FieldCheck> = { kind: isString, times: isPositiveCount, delayMs: isDuration };

function checkStep(value: unknown, index: number): string | null {
  if (!isObject(value)) return `steps[${index}] must be an object`;
  const kind = value.kind;
  const spec = typeof kind === "string" ? KINDS[kind as FaultKind] : undefined;
  if (!spec) return `steps[${index}].kind must be one of ${Object.keys(KINDS).join(", ")}`;
  for (const [field, fieldValue] of Object.entries(value)) {
    const check = COMMON[field] ?? spec.fields[field];
    if (!check) return `steps[${index}].${field} is not a field of a "${kind}" step`;
    if (!check(fieldValue)) return `steps[${index}].${field} has an invalid value`;
  }
  for (const field of spec.required ?? []) {
    if (!(field in value)) return `steps[${index}].${field} is required for a "${kind}" step`;
  }
  return null;
}

/** Validates scripted steps from untrusted JSON; returns the steps or an error message naming the field. */
export function parseFaultSteps(value: unknown): FaultStep[] | string {
  if (!Array.isArray(value)) return "steps must be an array";
  for (const [i, step] of value.entries()) {
    const problem = checkStep(step, i);
    if (problem) return problem;
  }
  return value as FaultStep[];
}

interface Queued {
  step: FaultStep;
  remaining: number;
}

/** Per-account queues of scripted steps; each request takes the next one. */
export class FaultScript {
  private readonly queues = new Map<string, Queued[]>();

  /** Appends to the account's queue. */
  add(account: string, steps: FaultStep[]): void {
    const queue = this.queues.get(account) ?? [];
    for (const step of steps) queue.push({ step, remaining: step.times ?? 1 });
    this.queues.set(account, queue);
  }

  /** The step for the next request of this account, or null for normal behaviour. */
  next(account: string): FaultStep | null {
    const queue = this.queues.get(account);
    const head = queue?.[0];
    if (!queue || !head) return null;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    if (queue.length === 0) this.queues.delete(account);
    return head.step;
  }

  clear(): void {
    this.queues.clear();
  }
}
