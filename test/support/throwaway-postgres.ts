import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

// A PostgreSQL cluster of the test's own, for tests that restart the database server: the shared
// server on 5432 is never touched. PostgreSQL refuses to run as root, so its commands run as the
// postgres user (STACK.md). A machine without the server binaries fails the test, never skips it.

const run = promisify(execFile);

function serverBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL server under ${root}`);
  return join(root, versions[0] as string, "bin");
}

export interface ThrowawayPostgres {
  url: string;
  /** A fast restart (connections are cut, as in a failover); resolves once it accepts connections again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startThrowawayPostgres(port: number): Promise<ThrowawayPostgres> {
  const bin = serverBin();
  const dir = await mkdtemp(join(tmpdir(), "tollgate-pg-"));
  const { stdout } = await run("id", ["-u", "postgres"]);
  const { stdout: gid } = await run("id", ["-g", "postgres"]);
  await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  const data = join(dir, "data");
  const asPostgres = (command: string, args: string[]) =>
    run("runuser", ["-u", "postgres", "--", join(bin, command), ...args], { timeout: 60_000 });
  await asPostgres("initdb", ["-D", data, "--auth=trust", "--username=postgres", "--no-sync", "--no-instructions"]);
  const ctl = (action: string, ...extra: string[]) =>
    asPostgres("pg_ctl", [
      action,
      "-D",
      data,
      "-w",
      "-t",
      "60",
      "-l",
      join(dir, "server.log"),
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      ...extra,
    ]);
  await ctl("start");
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async () => {
      await ctl("restart", "-m", "fast");
    },
    stop: async () => {
      await asPostgres("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
