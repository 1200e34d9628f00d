import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "./child.js";
import { runCommand } from "./command-line.js";
import { type CallFrame, groupOf, label } from "./profile-summary.js";

// Reads what bench/alloc-profile.js wrote (a sampling heap profile, short-lived objects included, and
// the requests served while it ran) and says how many bytes a request allocates: in all, by package or
// folder, and by the function that allocated them (V8 names the function, not the line; inlined
// callees are named apart). The same for bench/survivor-profile.js's file: the bytes that outlived
// the young generation.
// Usage: node --import ./bin/ts-loader.js bench/alloc-summary.ts FILE [--top N]

interface HeapNode {
  callFrame: CallFrame;
  /** Bytes of the samples taken in this function with this exact stack. */
  selfSize: number;
  children: HeapNode[];
}

export interface AllocProfile {
  requests: number;
  profile: { head: HeapNode };
}

export interface AllocEntry {
  name: string;
  bytesPerRequest: number;
}

export interface AllocSummary {
  bytesPerRequest: number;
  byGroup: AllocEntry[];
  byFunction: AllocEntry[];
}

function top(totals: Map<string, number>, requests: number, count: number): AllocEntry[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, bytes]) => ({ name, bytesPerRequest: bytes / requests }));
}

export function summarizeAllocations({ requests, profile }: AllocProfile, root: string, count = 20): AllocSummary {
  if (!(requests > 0)) throw new Error("the profile covers no request");
  const groups = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  const pending = [profile.head];
  for (let node = pending.pop(); node; node = pending.pop()) {
    pending.push(...node.children);
    if (node.selfSize === 0) continue;
    total += node.selfSize;
    const group = groupOf(node.callFrame, root);
    groups.set(group, (groups.get(group) ?? 0) + node.selfSize);
    const name = label(node.callFrame, root);
    functions.set(name, (functions.get(name) ?? 0) + node.selfSize);
  }
  return {
    bytesPerRequest: total / requests,
    byGroup: top(groups, requests, count),
    byFunction: top(functions, requests, count),
  };
}

function print(title: string, entries: AllocEntry[]): string {
  return `${title}\n${entries.map((e) => `  ${e.bytesPerRequest.toFixed(0).padStart(7)} B  ${e.name}`).join("\n")}\n`;
}

const USAGE = "usage: alloc-summary FILE [--top N]";

/** The command line: the summary's text, or throws an Error whose message is for the user. */
export function allocSummaryCommand(args: readonly string[]): string {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { top: { type: "string", default: "30" }, help: { type: "boolean", default: false } },
  });
  if (values.help) return `${USAGE}\n`;
  const [file] = positionals;
  if (!file) throw new Error("name the file bench/alloc-profile.js or bench/survivor-profile.js wrote");
  const count = Number(values.top);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--top: a whole number of 1 or more, not ${values.top}`);
  const summary = summarizeAllocations(JSON.parse(readFileSync(file, "utf8")) as AllocProfile, REPO_ROOT, count);
  return (
    `${file}: ${summary.bytesPerRequest.toFixed(0)} bytes allocated per request (sampled)\n\n` +
    `${print("by package or folder", summary.byGroup)}\n` +
    `${print("by function", summary.byFunction)}`
  );
}

if (process.argv[1] && import.meta.filename === process.argv[1])
  runCommand("alloc-summary", USAGE, allocSummaryCommand);
