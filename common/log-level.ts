// TOLLGATE_LOG_LEVEL, read the same way by both planes: pino's level names, info by default.

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export function readLogLevel(env: NodeJS.ProcessEnv): { level: string } | { error: string } {
  const text = env.TOLLGATE_LOG_LEVEL?.trim().toLowerCase() || "info";
  if (LOG_LEVELS.includes(text)) return { level: text };
  return { error: `TOLLGATE_LOG_LEVEL: "${env.TOLLGATE_LOG_LEVEL}" is not one of ${LOG_LEVELS.join(", ")}` };
}
