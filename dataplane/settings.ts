import type { IpRule } from "../common/ip-rules.js";
import { parseTrustedProxies } from "./policy/client-ip.js";

// The data plane's environment, validated at start: a bad value is one clear line, not a stack trace.

// Anthropic accepts request bodies up to 32 MB; Claude Code sends images inline.
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface DataPlaneSettings {
  host: string;
  port: number;
  nodeToken: string | undefined;
  trustedProxies: IpRule[];
  maxBodyBytes: number;
}

export type SettingsResult<T> = { ok: true; settings: T } | { ok: false; error: string };

export function readPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number | string {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const port = Number(text);
  return Number.isInteger(port) && port >= 0 && port <= 65535
    ? port
    : `${name}: "${text}" is not a port number (0-65535)`;
}

function readPositiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number | string {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  return Number.isSafeInteger(value) && value > 0 ? value : `${name}: "${text}" is not a positive whole number`;
}

export function dataPlaneSettingsFromEnv(env: NodeJS.ProcessEnv): SettingsResult<DataPlaneSettings> {
  const port = readPort(env, "TOLLGATE_DATAPLANE_PORT", 8080);
  if (typeof port === "string") return { ok: false, error: port };
  const maxBodyBytes = readPositiveInt(env, "TOLLGATE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES);
  if (typeof maxBodyBytes === "string") return { ok: false, error: maxBodyBytes };
  const proxies = parseTrustedProxies(env.TOLLGATE_TRUSTED_PROXIES);
  if (!proxies.ok) return { ok: false, error: proxies.error };
  return {
    ok: true,
    settings: {
      host: env.TOLLGATE_HOST || "127.0.0.1",
      port,
      nodeToken: env.TOLLGATE_NODE_TOKEN || undefined,
      trustedProxies: proxies.rules,
      maxBodyBytes,
    },
  };
}
