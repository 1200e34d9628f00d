import { readdirSync, readFileSync } from "node:fs";

// Run by ts-loader.test.ts through bin/ts-loader.js: prints how many child processes this process has
// while its modules have just loaded and once loading has been idle past the loader's timeout (2 s;
// it waits up to 10), then imports a TypeScript module by its compiled name, as the sources do.
const children = () =>
  readdirSync(`/proc/${process.pid}/task`).flatMap((thread) =>
    readFileSync(`/proc/${process.pid}/task/${thread}/children`, "utf8").split(" ").filter(Boolean),
  );
process.stdout.write(`loaded: ${children().length}\n`);
for (let waited = 0; waited < 10_000 && children().length > 0; waited += 100) {
  await new Promise((resolve) => setTimeout(resolve, 100));
}
process.stdout.write(`idle: ${children().length}\n`);
const { answer } = await import("./late-module.js");
process.stdout.write(`late import: ${answer(41)}\n`);
