// The tollgate command: wiring only. Each command lives in a module of its own.
const commands: Record<string, { describe: string; run: (args: string[]) => Promise<void> }> = {};

export function registerCommand(name: string, describe: string, run: (args: string[]) => Promise<void>): void {
  commands[name] = { describe, run };
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)} ${c.describe}`);
  return `usage: tollgate <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}

const [name, ...args] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  process.stderr.write(
    name && name !== "help" && name !== "--help" ? `tollgate: unknown command "${name}"\n\n${usage()}` : usage(),
  );
  process.exit(name && name !== "help" && name !== "--help" ? 2 : 0);
}
await command.run(args);
