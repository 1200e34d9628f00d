import { describe } from "vitest";
import { MemoryRoutingState, openMemoryStore } from "./memory-store.js";
import { defineRoutingStoreSuite } from "./routing-store.case.js";
import type { RoutingStore } from "./routing-store.js";

describe("memory routing store", () =>
  defineRoutingStoreSuite(async () => {
    const state = new MemoryRoutingState();
    const stores: RoutingStore[] = [];
    return {
      async plane(options = {}) {
        const store = openMemoryStore({ state, ...options });
        stores.push(store);
        return store;
      },
      async close() {
        await Promise.all(stores.map((store) => store.close()));
      },
    };
  }));
