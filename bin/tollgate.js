#!/usr/bin/env node
// The tollgate command. TypeScript sources run as they are (ts-loader.js): no build step to forget.
import "./ts-loader.js";

await import("../cli/main.ts");
