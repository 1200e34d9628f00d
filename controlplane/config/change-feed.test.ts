import { describe, expect, it } from "vitest";
import { ChangeFeed } from "./change-feed.js";

describe("ChangeFeed", () => {
  it.each<[string, (number | undefined)[], number]>([
    ["each new version wakes", [3, 4, 7], 3],
    ["a change's NOTIFY echo after its writer announced it wakes nobody", [5, 5], 1],
    ["the echo arriving first: the writer's own announcement wakes nobody", [5, 5, 6, 6], 2],
    ["an older version after a newer one (already seen by every re-read since)", [8, 6], 1],
    ["no version (a reconnected listener) always wakes", [4, undefined, undefined, 4], 3],
  ])("%s", (_name, versions, wakes) => {
    const feed = new ChangeFeed();
    for (const version of versions) feed.publish(version);
    expect(feed.generation).toBe(wakes);
  });

  // Each publication: its version (or "-" for none); a usage stamp adds ":" and the last config version
  // below it ("?" when not known: a stamp announced by an earlier release).
  it.each<[string, string, number, number]>([
    ["usage stamps after a config change move only the generation", "1 2:1 3:1 4:1", 4, 1],
    ["a config change after usage stamps moves both", "1 2:1 3 4:3", 4, 2],
    ["a usage stamp that is the first news of a config change below it moves both", "1 3:2 2 4:2", 3, 2],
    ["a usage stamp after a gap of usage stamps only moves only the generation", "1 3:1", 2, 1],
    ["the first usage stamp heard counts as a change", "7:5 8:5", 2, 1],
    ["a usage stamp's echo after its writer announced it moves nothing", "1 2:1 2:1", 2, 1],
    ["a usage stamp whose config version is not known counts as a change", "1 2:? 3:1", 3, 2],
    ["a reconnected listener moves both", "1 2:1 - 3:1", 4, 2],
  ])("config generation: %s", (_name, publications, generation, configGeneration) => {
    const feed = new ChangeFeed();
    for (const publication of publications.split(" ")) {
      const [version, config] = publication.split(":");
      if (version === "-") feed.publish();
      else if (config === undefined) feed.publish(Number(version));
      else feed.publish(Number(version), config === "?" ? undefined : Number(config));
    }
    expect([feed.generation, feed.configGeneration]).toEqual([generation, configGeneration]);
  });

  it("wakes a waiter on a new version and not on a repeated one", async () => {
    const feed = new ChangeFeed();
    feed.publish(1);
    const signal = new AbortController().signal;
    let woke = false;
    const waiting = feed.wait(feed.generation, signal).then(() => {
      woke = true;
    });
    feed.publish(1);
    await Promise.resolve();
    expect(woke).toBe(false);
    feed.publish(2);
    await waiting;
    expect(woke).toBe(true);
  });
});
