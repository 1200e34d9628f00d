import { describe, expect, it } from "vitest";
import { LocalRuntimeView } from "./runtime-view.js";

describe("LocalRuntimeView", () => {
  it("applies a change newer than what it has, and ignores an older one that arrives late", () => {
    const view = new LocalRuntimeView();
    view.applyState(2, "a", { overloadedUntil: 20 });
    view.applyState(1, "a", { overloadedUntil: 10 });
    expect(view.get("a")).toEqual({ overloadedUntil: 20 });
    view.applyState(3, "a", {});
    expect(view.get("a")).toBeUndefined();
  });

  it("keeps versions per account", () => {
    const view = new LocalRuntimeView();
    view.applyState(5, "a", { overloadedUntil: 50 });
    view.applyState(4, "b", { overloadedUntil: 40 });
    expect(view.get("b")).toEqual({ overloadedUntil: 40 });
  });

  it("replaces everything on a full load, then takes only changes newer than the load", () => {
    const view = new LocalRuntimeView();
    view.applyState(7, "a", { overloadedUntil: 70 });
    view.applyState(8, "gone", { errorMessage: "upstream 401" });
    view.replaceAll(8, new Map([["a", { overloadedUntil: 70 }]]));
    expect(view.get("gone")).toBeUndefined();

    view.applyState(8, "b", { overloadedUntil: 80 });
    expect(view.get("b")).toBeUndefined();
    view.applyState(9, "b", { overloadedUntil: 90 });
    expect(view.get("b")).toEqual({ overloadedUntil: 90 });
  });

  it("accepts a full load older than what it saw (the shared store lost its data)", () => {
    const view = new LocalRuntimeView();
    view.applyState(40, "a", { overloadedUntil: 1 });
    view.replaceAll(0, new Map());
    expect(view.get("a")).toBeUndefined();
    view.applyState(1, "a", { overloadedUntil: 2 });
    expect(view.get("a")).toEqual({ overloadedUntil: 2 });
  });

  it("merges the last loads seen with the state", () => {
    const view = new LocalRuntimeView();
    view.applyLoad("a", { inFlight: 3, lastUsedAt: 11 });
    view.applyState(1, "a", { rateLimitedUntil: 99 });
    expect(view.get("a")).toEqual({ rateLimitedUntil: 99, inFlight: 3, lastUsedAt: 11 });
    view.applyLoad("a", { inFlight: 1, lastUsedAt: 12 });
    expect(view.get("a")).toEqual({ rateLimitedUntil: 99, inFlight: 1, lastUsedAt: 12 });
  });
});
