import { describe, expect, it } from "vitest";
import { type AllocProfile, allocSummaryCommand, summarizeAllocations } from "./alloc-summary.js";

const ROOT = "/repo";
const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });
const node = (
  functionName: string,
  url: string,
  selfSize: number,
  children: AllocProfile["profile"]["head"][] = [],
) => ({
  callFrame: frame(functionName, url),
  selfSize,
  children,
});

// Two requests' worth: a handler of ours allocating 3,000 bytes (in two stacks), undici 1,000, node 400.
const PROFILE: AllocProfile = {
  requests: 2,
  profile: {
    head: node("(root)", "", 0, [
      node("handle", "file:///repo/.build/0a1b/dataplane/pipeline/proxy.js", 1000, [
        node("dispatch", "file:///repo/node_modules/undici/lib/dispatcher/client.js", 1000),
        node("handle", "file:///repo/.build/0a1b/dataplane/pipeline/proxy.js", 2000),
      ]),
      node("emit", "node:events", 400),
    ]),
  },
};

describe("summarizeAllocations", () => {
  it("gives bytes per request in all, by folder or package, and by function", () => {
    const summary = summarizeAllocations(PROFILE, ROOT);
    expect(summary.bytesPerRequest).toBe(2200);
    expect(summary.byGroup).toEqual([
      { name: "dataplane/pipeline/", bytesPerRequest: 1500 },
      { name: "undici", bytesPerRequest: 500 },
      { name: "node internals", bytesPerRequest: 200 },
    ]);
    expect(summary.byFunction[0]).toEqual({ name: "handle dataplane/pipeline/proxy.js:10", bytesPerRequest: 1500 });
  });

  it("keeps the top N", () => {
    expect(summarizeAllocations(PROFILE, ROOT, 1).byFunction).toHaveLength(1);
  });

  it("refuses a profile that covers no request", () => {
    expect(() => summarizeAllocations({ ...PROFILE, requests: 0 }, ROOT)).toThrow("covers no request");
  });
});

describe("allocSummaryCommand", () => {
  it.each([
    [[], "name the file"],
    [["x.json", "--top", "0"], "--top: a whole number of 1 or more, not 0"],
  ])("%j -> %s", (args, message) => {
    expect(() => allocSummaryCommand(args)).toThrow(message);
  });
});
