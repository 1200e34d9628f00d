#!/usr/bin/env node
// The tollgate command, run from the build of the TypeScript sources (build.js: made when they changed).
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { currentBuild, holdBuild } from "./build.js";

let build;
try {
  build = await currentBuild();
} catch (error) {
  process.stderr.write(
    `tollgate: cannot build the sources into .build/ (${error instanceof Error ? error.message : String(error)}); ` +
      "on a read-only checkout, build ahead with `node bin/build.js` where it is writable\n",
  );
  process.exit(1);
}
holdBuild(build);
await import(pathToFileURL(join(build, "cli/main.js")).href);
