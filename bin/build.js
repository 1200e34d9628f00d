// The JavaScript bin/tollgate.js runs, compiled from the TypeScript sources whenever they changed: no
// build step to forget, and nothing compiling inside a running gateway (compiling on import, as
// ts-loader.js does for the bench's helpers, costs a process a module-hooks thread of about 20 MB and
// an esbuild process while modules load).
//
// A build is a directory under .build/ named by what it was made from (each source's path and text:
// about 1 MB read and hashed at each start, about 20 ms with this module's own loading on the 2-core
// development machine, where modification times could miss an edit made within their granularity), so
// processes starting together share one, and a build never changes under a process running from it.
// What the sources find beside themselves by import.meta.url (the web admin's files, the migrations,
// the price table) is linked into it.
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOURCE_DIRS = ["cli", "common", "controlplane", "dataplane", "gen", "upstream-sim"];
const NOT_SHIPPED = /\.(test|fixture|case|d)\.ts$/;
const LINKED = ["web-admin/dist", "controlplane/db/migrations", "controlplane/usage/default-prices.json"];
/**
 * A build's modification time says when a process last used it: set when one starts from it, and
 * every HOLD_INTERVAL_MS while one runs (holdBuild). Builds not used for STALE_BUILD_MS are removed,
 * so none is removed under a running process, which may still read its linked files (the web admin's).
 */
const STALE_BUILD_MS = 24 * 60 * 60_000;
const HOLD_INTERVAL_MS = 60 * 60_000;

/** The directory holding the build of the sources under root (made now if there is none). */
export async function currentBuild(root = ROOT) {
  const sources = SOURCE_DIRS.flatMap((dir) => typeScriptFiles(join(root, dir)));
  const tsconfig = readFileSync(join(root, "tsconfig.json"), "utf8");
  // This file's text too: a change to how sources are built makes a new build.
  const digest = createHash("sha256")
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(tsconfig);
  for (const file of sources) digest.update(`\0${relative(root, file)}\0`).update(readFileSync(file));
  const builds = join(root, ".build");
  const target = join(builds, digest.digest("hex").slice(0, 16));
  if (existsSync(target)) {
    markUsed(target);
    return target;
  }

  const scratch = `${target}.${process.pid}.tmp`;
  rmSync(scratch, { recursive: true, force: true });
  // Loaded only to build: a process starting from an existing build never starts esbuild's.
  const { build, stop } = await import("esbuild");
  await build({
    entryPoints: sources,
    outdir: scratch,
    outbase: root,
    format: "esm",
    platform: "node",
    target: `node${process.versions.node}`,
    tsconfigRaw: tsconfig,
    logLevel: "error",
  });
  await stop();
  for (const path of LINKED) {
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    symlinkSync(join(root, path), join(scratch, path));
  }
  try {
    renameSync(scratch, target);
  } catch (error) {
    // Another process finished the same build first: use its.
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(target)) throw error;
  }
  removeStaleBuilds(builds, target);
  return target;
}

/** Marks the build as in use for as long as this process runs (it is not held on a read-only checkout). */
export function holdBuild(build, everyMs = HOLD_INTERVAL_MS) {
  setInterval(() => markUsed(build), everyMs).unref();
}

function markUsed(build) {
  const now = new Date();
  try {
    utimesSync(build, now, now);
  } catch {}
}

function typeScriptFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !NOT_SHIPPED.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function removeStaleBuilds(builds, current) {
  const now = Date.now();
  for (const name of readdirSync(builds)) {
    const path = join(builds, name);
    // Another process starting now may rename or remove its scratch folder between the two calls.
    const stats = statSync(path, { throwIfNoEntry: false });
    if (stats && path !== current && now - stats.mtimeMs > STALE_BUILD_MS) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

// `node bin/build.js` (npm install's prepare): build ahead, and print where.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${await currentBuild()}\n`);
}
