import { cutPlan, emptyPlan, jsonPlan, type ResponsePlan, streamErrorPlan } from "./plan.js";
import { errorEnvelope } from "./protocols/errors.js";
import { applyRateLimitHints, DEFAULT_HINTS } from "./rate-limit.js";
import { normalPlan, type RequestContext, surfaceOf } from "./respond.js";
import type { SimState } from "./state.js";
import type { FaultStep } from "./types.js";

/** A request that never gets an answer. */
export const HANG = "hang";

const DEFAULT_RESET_SECONDS = 30;
// What Google returns for a Cloud Code / Antigravity project that is not (yet) provisioned.
const INVALID_PROJECT_MESSAGE = "Invalid project resource name projects/";

/** The response for a request under a scripted step (or none: the normal answer, with header overrides). */
export function planWithStep(
  state: SimState,
  ctx: RequestContext,
  step: FaultStep | null,
  headerChunks: number | undefined,
  headerChunkDelayMs: number | undefined,
): ResponsePlan | typeof HANG {
  const reply = { chunks: headerChunks, chunkDelayMs: headerChunkDelayMs };
  const normal = () => normalPlan(state, ctx, reply);
  const protocol = ctx.route.protocol;
  if (!step) return normal();

  switch (step.kind) {
    case "status": {
      const body = step.body === undefined ? errorEnvelope(protocol, step.status).body : step.body;
      return jsonPlan(step.status, body, { ...ctx.responseHeaders, ...step.headers });
    }
    case "rate-limit": {
      const status = step.status ?? 429;
      const envelope = errorEnvelope(protocol, status, "Rate limit exceeded.");
      const resetSeconds = step.resetSeconds ?? DEFAULT_RESET_SECONDS;
      const headers = applyRateLimitHints(envelope, step.hints ?? DEFAULT_HINTS[protocol], resetSeconds, Date.now());
      return jsonPlan(status, envelope.body, { ...ctx.responseHeaders, ...headers });
    }
    case "overloaded": {
      const status = step.status ?? 529;
      return jsonPlan(status, errorEnvelope(protocol, status, "Overloaded").body, ctx.responseHeaders);
    }
    case "invalid-project":
      return jsonPlan(400, errorEnvelope("gemini", 400, INVALID_PROJECT_MESSAGE).body, ctx.responseHeaders);
    case "empty-stream":
      return emptyPlan(normal());
    case "cut-stream":
      return cutPlan(normal(), step.afterEvents);
    case "stream-error": {
      const plan = normal();
      const surface = surfaceOf(ctx.route);
      if (plan.stream && surface) {
        return streamErrorPlan(plan, step.afterEvents ?? 0, surface.streamError(step.errorType, step.message));
      }
      // A request that is not streamed gets the same failure as a plain error response.
      const envelope = errorEnvelope(protocol, 529, step.message ?? "Overloaded", step.errorType);
      return jsonPlan(529, envelope.body, ctx.responseHeaders);
    }
    case "reply":
      return normalPlan(state, ctx, {
        text: step.text,
        chunks: step.chunks ?? headerChunks,
        chunkDelayMs: step.chunkDelayMs ?? headerChunkDelayMs,
      });
    case "hang":
      return HANG;
  }
}
