// Runs TypeScript sources in place, imported first (`node --import ./bin/ts-loader.js file.ts`): the
// bench, its floor proxy and stream client, scripts. ts-hooks.js resolves and compiles them, on the
// module-hooks thread. Tollgate itself runs from its build (build.js), with no such thread.
import { register } from "node:module";

register("./ts-hooks.js", import.meta.url);
