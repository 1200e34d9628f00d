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

  // Each publication: its version (or "-" for none), "u" after it for a usage stamp.
  it.each<[string, string, number, number]>([
    ["usage stamps in sequence move only the generation", "1 2u 3u 4u", 4, 1],
    ["a config change after usage stamps moves both", "1 2u 3 4u", 4, 2],
    ["a usage stamp after a gap may cover a config change not yet announced", "1 3u 2 4u", 3, 2],
    ["the first usage stamp heard (nothing announced before it) counts as a change", "7u 8u", 2, 1],
    ["a usage stamp's echo after its writer announced it moves nothing", "1 2u 2u", 2, 1],
    ["a reconnected listener moves both", "1 2u - 3u", 4, 2],
  ])("config generation: %s", (_name, publications, generation, configGeneration) => {
    const feed = new ChangeFeed();
    for (const publication of publications.split(" ")) {
      if (publication === "-") feed.publish();
      else feed.publish(Number.parseInt(publication, 10), publication.endsWith("u") ? "usage" : "config");
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
