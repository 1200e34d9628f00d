import { describe, expect, it } from "vitest";
import { cutPlan, emptyPlan, jsonPlan, streamErrorPlan, streamPlan } from "./plan.js";

const stream = streamPlan(
  { contentType: "text/event-stream", head: ["h1", "h2"], deltas: ["d1", "d2"], tail: ["t1"] },
  7,
);

describe("plans", () => {
  it("marks the text pieces of a stream as the delayed frames", () => {
    expect(stream).toMatchObject({
      frames: ["h1", "h2", "d1", "d2", "t1"],
      delayedFrom: 2,
      delayedTo: 4,
      chunkDelayMs: 7,
    });
  });

  it("cuts a stream after N frames", () => {
    expect(cutPlan(stream, 3)).toMatchObject({ frames: ["h1", "h2", "d1"], ending: "cut" });
  });

  it("cuts a JSON body in half", () => {
    expect(cutPlan(jsonPlan(200, "0123456789"), 3)).toMatchObject({ frames: ["01234"], ending: "cut" });
  });

  it("ends a stream with an error frame after N frames", () => {
    expect(streamErrorPlan(stream, 0, "err")).toMatchObject({ frames: ["err"], ending: "end" });
    expect(streamErrorPlan(stream, 2, "err").frames).toEqual(["h1", "h2", "err"]);
  });

  it("empties a stream but keeps its content type", () => {
    const empty = emptyPlan(stream);
    expect(empty.frames).toEqual([]);
    expect(empty.headers["content-type"]).toBe("text/event-stream");
    expect(emptyPlan(jsonPlan(200, { a: 1 })).headers["content-length"]).toBe(0);
  });
});
