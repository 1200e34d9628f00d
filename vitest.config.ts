import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "common/**/*.test.ts",
      "controlplane/**/*.test.ts",
      "dataplane/**/*.test.ts",
      "upstream-sim/**/*.test.ts",
      "cli/**/*.test.ts",
      "test/**/*.test.ts",
      "web-admin/**/*.test.ts",
      "bench/**/*.test.ts",
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
