import { once } from "node:events";
import { type AddressInfo, connect, createServer } from "node:net";
import { timePerCall } from "./stats.js";

// How fast the machine is at a given moment, measured the same way at the start and the end of every
// run. On the shared 2-core virtual machines this was built on, the same code's figures moved by 2.5x
// and more between runs hours apart (the ratios with them: memory-heavy work slowed more than the
// floor's), so a run's numbers are read beside these, and two runs compare only when these are close.

export interface Calibration {
  /** µs per JSON.parse of the 76 KB Claude Code request's text: CPU, memory and allocation. */
  jsonParseUs: number;
  /** µs per 64-byte round trip over a loopback TCP connection within this process: the kernel's network path. */
  loopbackRoundTripUs: number;
}

export async function calibrate(jsonText: string, quick: boolean): Promise<Calibration> {
  return {
    jsonParseUs: timePerCall(() => JSON.parse(jsonText), quick ? 20 : 200, quick ? 3 : 9),
    loopbackRoundTripUs: await loopbackRoundTripUs(quick ? 200 : 2_000),
  };
}

/** Mean µs per round trip of `trips` sequential 64-byte ping-pongs with an echo server in this process. */
async function loopbackRoundTripUs(trips: number): Promise<number> {
  const server = createServer((socket) => socket.pipe(socket));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const client = connect((server.address() as AddressInfo).port, "127.0.0.1");
  try {
    await once(client, "connect");
    client.setNoDelay(true);
    const ping = Buffer.alloc(64, 0x61);
    const trip = async () => {
      let received = 0;
      const echoed = new Promise<void>((resolve) => {
        const onData = (chunk: Buffer) => {
          received += chunk.length;
          if (received < ping.length) return;
          client.off("data", onData);
          resolve();
        };
        client.on("data", onData);
      });
      client.write(ping);
      await echoed;
    };
    for (let i = 0; i < trips / 10; i++) await trip();
    const start = process.hrtime.bigint();
    for (let i = 0; i < trips; i++) await trip();
    return Number(process.hrtime.bigint() - start) / 1000 / trips;
  } finally {
    client.destroy();
    server.close();
  }
}

/**
 * The JSON parse's end / start ratio from which a run is flagged as having run on a machine that
 * changed under it. Only the parse: called back to back (twice three calls, 2026-11-30), the loopback
 * round trip moved by up to 1.5x (28-43 µs), the parse by under 10% (64-70 µs).
 */
const SPEED_CHANGE_RATIO = 1.5;

export function calibrationLine(start: Calibration | undefined, end: Calibration | undefined): string | undefined {
  if (!start) return undefined;
  const both = (pick: (c: Calibration) => number) =>
    end ? `${pick(start).toFixed(0)} / ${pick(end).toFixed(0)} µs` : `${pick(start).toFixed(0)} µs`;
  const line = `Machine speed (bench/calibration.ts, at ${end ? "start / end" : "start"}): JSON.parse of the 76 KB request ${both((c) => c.jsonParseUs)}, loopback TCP round trip ${both((c) => c.loopbackRoundTripUs)}`;
  if (!end) return line;
  const ratio = end.jsonParseUs / start.jsonParseUs;
  if (Math.max(ratio, 1 / ratio) < SPEED_CHANGE_RATIO) return line;
  const change = ratio > 1 ? `${ratio.toFixed(1)}x slower` : `${(1 / ratio).toFixed(1)}x faster`;
  return `${line}. The machine's speed changed during the run (the parse ${change} at the end): figures taken at different moments of it, and their ratios, compare less well than usual`;
}
