import { describe, expect, it } from "vitest";
import { PlaneWatchers } from "./plane-watchers.js";

describe("PlaneWatchers", () => {
  it("lists each connected node with the version it last got, until its last stream closes", () => {
    const watchers = new PlaneWatchers();
    const a = watchers.open("dp-a", 0);
    const b = watchers.open("dp-b", 7);
    a.at(9);
    expect(watchers.snapshot()).toEqual([
      { nodeId: "dp-a", version: 9 },
      { nodeId: "dp-b", version: 7 },
    ]);
    const again = watchers.open("dp-a", 9);
    a.close();
    a.close();
    again.at(10);
    expect(watchers.snapshot()).toEqual([
      { nodeId: "dp-a", version: 10 },
      { nodeId: "dp-b", version: 7 },
    ]);
    again.close();
    b.close();
    expect(watchers.snapshot()).toEqual([]);
  });
});
