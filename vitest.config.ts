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
      "bin/**/*.test.ts",
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The default (cores - 1) runs one file at a time on the 2-core machines we have; most tests
    // wait on servers and subprocesses, so two at a time takes the suite from about 7 to 5 minutes.
    maxWorkers: 2,
  },
});
