// Runs TypeScript sources in place, imported first (`node --import ./bin/ts-loader.js`, or by
// bin/tollgate.js): ts-hooks.js resolves and compiles them, on the module-hooks thread.
import { register } from "node:module";

register("./ts-hooks.js", import.meta.url);
