/** How the sync clients log: level, message, structured detail (wired to pino in index.ts). */
export type SyncLog = (level: "info" | "warn", message: string, detail?: Record<string, unknown>) => void;
