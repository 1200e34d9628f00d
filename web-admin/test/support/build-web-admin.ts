import { join } from "node:path";
import { build } from "vite";

// The tests serve a fresh production build of the current sources, so they never test a stale dist/.

const WEB_ADMIN = join(import.meta.dirname, "..", "..");

export async function buildWebAdmin(outDir: string): Promise<void> {
  await build({
    configFile: join(WEB_ADMIN, "vite.config.ts"),
    logLevel: "warn",
    build: { outDir, emptyOutDir: true },
  });
}
