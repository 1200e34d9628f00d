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
