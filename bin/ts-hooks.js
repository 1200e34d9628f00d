// Module hooks that run the repository's TypeScript in place (registered by ts-loader.js).
//
// resolve: imports name the compiled file (`./x.js`, as NodeNext wants); where only `./x.ts` exists,
// that is the module. load: TypeScript is compiled by esbuild without `keepNames` (tsx, which this
// replaced, always set it: it wraps every closure in a `__name()` call that redefines the function's
// name when it is created, and the request path creates dozens of closures per request; README,
// Performance). The compiler options are the repository's tsconfig.json (its text: esbuild reads
// tsconfig's comments and trailing commas, JSON.parse would not).
//
// esbuild compiles in a child process of its own (about 17 MB), needed only while modules load: it is
// stopped once loading has been idle for a while, and a later import starts it again.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { stop, transform } from "esbuild";

const TSCONFIG = readFileSync(new URL("../tsconfig.json", import.meta.url), "utf8");
const TYPESCRIPT = /\.m?ts$/;
const COMPILED_NAME = /\.(m?)js$/;
const COMPILER_IDLE_MS = 2_000;

let loading = 0;
let idleTimer;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const typescript = specifier.replace(COMPILED_NAME, ".$1ts");
    if (error?.code !== "ERR_MODULE_NOT_FOUND" || typescript === specifier || !isLocal(specifier)) throw error;
    return nextResolve(typescript, context);
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:")) return nextLoad(url, context);
  const { pathname } = new URL(url);
  if (!TYPESCRIPT.test(pathname) || pathname.includes("/node_modules/")) return nextLoad(url, context);
  const path = fileURLToPath(url);
  clearTimeout(idleTimer);
  loading++;
  try {
    const { code } = await transform(await readFile(path, "utf8"), {
      loader: "ts",
      format: "esm",
      target: `node${process.versions.node}`,
      sourcemap: "inline",
      sourcefile: path,
      tsconfigRaw: TSCONFIG,
    });
    return { format: "module", source: code, shortCircuit: true };
  } finally {
    if (--loading === 0) idleTimer = setTimeout(stop, COMPILER_IDLE_MS).unref();
  }
}

/** A relative or file: specifier: packages are not compiled, and keep their own resolution. */
function isLocal(specifier) {
  return specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("file:");
}
