// Runs TypeScript sources in place, imported first (`node --import ./bin/ts-loader.js`, or by
// bin/tollgate.js): tsx resolves modules, ts-hooks.js compiles them.
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

registerTsx();
register("./ts-hooks.js", import.meta.url);
