import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

// Tokens and the secret key come from the environment, else from the data dir, else are generated there
// on first start (DESIGN §2) so a restart keeps them.

export interface ResolvedSecret {
  value: string;
  /** Set when the value was generated now; the caller tells the operator where it is. */
  generatedAt?: string;
}

export async function resolveSecret(
  dataDir: string,
  fileName: string,
  fromEnv: string | undefined,
  prefix = "",
): Promise<ResolvedSecret> {
  if (fromEnv?.trim()) return { value: fromEnv.trim() };
  const path = join(dataDir, fileName);
  const stored = await readFile(path, "utf8").then(
    (text) => text.trim(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "";
      throw error;
    },
  );
  if (stored) return { value: stored };
  await mkdir(dataDir, { recursive: true });
  const value = `${prefix}${randomBytes(32).toString("base64url")}`;
  // "wx": two processes starting at once must not both write; the loser reads the winner's value.
  try {
    await writeFile(path, `${value}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return resolveSecret(dataDir, fileName, undefined, prefix);
    throw error;
  }
  return { value, generatedAt: path };
}
