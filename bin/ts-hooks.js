// A load hook in front of tsx's: TypeScript files are compiled by esbuild without `keepNames`, which tsx
// always sets. keepNames wraps every closure in a `__name()` call that redefines the function's name
// when it is created, and the request path creates dozens of closures per request (README,
// Performance). tsx still resolves modules. The compiler options are the repository's tsconfig.json
// (its text: esbuild reads tsconfig's comments and trailing commas, JSON.parse would not).
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

const TSCONFIG = readFileSync(new URL("../tsconfig.json", import.meta.url), "utf8");
const TYPESCRIPT = /\.m?ts$/;

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
