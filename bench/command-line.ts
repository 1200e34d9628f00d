// The bench's summary commands (profile-summary.ts, alloc-summary.ts) run as scripts: the text to
// stdout, or the error and the usage to stderr with exit code 2.

/** Runs `command` on the process's arguments; its errors' messages are for the user. */
export function runCommand(name: string, usage: string, command: (args: readonly string[]) => string): void {
  try {
    process.stdout.write(command(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`${name}: ${(error as Error).message}\n${usage}\n`);
    process.exitCode = 2;
  }
}
