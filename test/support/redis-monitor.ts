import { connect } from "node:net";
import type { Redis } from "ioredis";
import { REDIS_URL } from "./redis.js";

// Redis's MONITOR shows every command the server receives, with the connection it came from (commands
// a Lua script runs show as coming from "lua"): tests count round trips with it. Read on a plain socket,
// because ioredis's own monitor() loses its command queue when MONITOR's OK and the first lines arrive
// in one packet, which a busy server does.

export interface Monitor {
  /** The accepted commands in the order the server received them, as `name "arg" ...`. */
  readonly seen: string[];
  close(): void;
}

/** The client address Redis sees for a connection, as MONITOR names a command's source. */
export async function addressOf(redis: Redis): Promise<string> {
  const info = String(await redis.client("INFO"));
  const address = /(?:^|\s)addr=(\S+)/.exec(info)?.[1];
  if (!address) throw new Error(`no addr in CLIENT INFO: ${info}`);
  return address;
}

/** Every command the server receives that `accept` takes, given its source address (or "lua") and text. */
export function monitorCommands(accept: (source: string, command: string) => boolean): Monitor {
  const url = new URL(REDIS_URL);
  const socket = connect(Number(url.port || 6379), url.hostname);
  const seen: string[] = [];
  let buffer = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      // +1795821207.757521 [0 127.0.0.1:50202] "evalsha" "7feb..." ...
      const entry = /^\+\S+ \[\d+ (\S+)\] "([^"]*)"(.*)$/.exec(line);
      if (!entry) continue;
      const command = `${entry[2]}${entry[3]}`;
      if (accept(entry[1] as string, command)) seen.push(command);
    }
  });
  if (url.password) {
    socket.write(`AUTH ${decodeURIComponent(url.username || "default")} ${decodeURIComponent(url.password)}\r\n`);
  }
  socket.write("MONITOR\r\n");
  return { seen, close: () => socket.destroy() };
}

/** Every command the server receives from `address`. */
export function monitorCommandsFrom(address: string): Monitor {
  return monitorCommands((source) => source === address);
}
