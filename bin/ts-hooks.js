// Module hooks that run the repository's TypeScript in place (registered by ts-loader.js).
//
// resolve: imports name the compiled file (`./x.js`, as NodeNext wants); where only `./x.ts` exists,
// that is the module. load: TypeScript is compiled by esbuild without `keepNames`, as Tollgate's build
// is (build.js; tsx, which this replaced, always set it: it wraps every closure in a `__name()` call
// that redefines the function's name when it is created, which the bench's floor proxy, run through
// these hooks, would then pay on every request). The compiler options are the repository's
// tsconfig.json (its text: esbuild reads tsconfig's comments and trailing commas, JSON.parse would not).
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

const TSCONFIG = readFileSync(new URL("../tsconfig.json", import.meta.url), "utf8");
const TYPESCRIPT = /\.m?ts$/;
const COMPILED_NAME = /\.(m?)js$/;

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
  const { code } = await transform(await readFile(path, "utf8"), {
    loader: "ts",
    format: "esm",
    target: `node${process.versions.node}`,
    sourcemap: "inline",
    sourcefile: path,
    tsconfigRaw: TSCONFIG,
  });
  return { format: "module", source: code, shortCircuit: true };
}

/** A relative or file: specifier: packages are not compiled, and keep their own resolution. */
function isLocal(specifier) {
  return specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("file:");
}
