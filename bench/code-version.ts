import { execFileSync } from "node:child_process";

// Which code a run measured, so two runs (an A/B of a change) can be told apart afterwards.

/** The commit, and whether tracked files differed from it. */
export function codeVersionOf(commit: string, porcelainStatus: string): string {
  // Untracked files (scratch notes, results) are not the code measured.
  const changed = porcelainStatus.split("\n").some((line) => line !== "" && !line.startsWith("??"));
  return changed ? `${commit} with uncommitted changes` : commit;
}

/** This checkout's version; undefined outside a git checkout. */
export function codeVersion(cwd: string): string | undefined {
  const git = (...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", stdio: "pipe" });
  try {
    return codeVersionOf(git("rev-parse", "--short=12", "HEAD").trim(), git("status", "--porcelain"));
  } catch {
    return undefined;
  }
}
