// The tollgate command: wiring only. Commands load lazily, so `tollgate upstream-sim` never pays for
// the database drivers.

interface Command {
  describe: string;
  load: () => Promise<(args: string[]) => Promise<void>>;
}

const commands: Record<string, Command> = {
  start: {
    describe: "control plane + data plane in one process, embedded PGlite and in-memory store (npm start)",
    load: async () => (await import("./start.js")).runStartCommand,
  },
  controlplane: {
    describe: "the control plane: admin API, web admin and plane service (PostgreSQL: DATABASE_URL)",
    load: async () => (await import("../controlplane/cli.js")).runControlPlaneCommand,
  },
  dataplane: {
    describe: "a data plane process: --control-plane URL (Redis: REDIS_URL)",
    load: async () => (await import("../dataplane/cli.js")).runDataPlaneCommand,
  },
  admin: {
    describe: "call an admin API method: tollgate admin <service> <method> [json] (see tollgate admin --help)",
    load: async () => (await import("./admin.js")).runAdminCommand,
  },
  "upstream-sim": {
    describe: "a simulated Anthropic/OpenAI/Gemini upstream for demos, tests and benchmarks",
    load: async () => (await import("../upstream-sim/cli.js")).runUpstreamSimCommand,
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)} ${c.describe}`);
  return `usage: tollgate <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}

const [name, ...args] = process.argv.slice(2);
if (!name || name === "help" || name === "--help" || name === "-h") {
  process.stdout.write(usage());
} else {
  const command = commands[name];
  if (!command) {
    process.stderr.write(`tollgate: unknown command "${name}"\n\n${usage()}`);
    process.exitCode = 2;
  } else {
    await (await command.load())(args);
  }
}
