#!/usr/bin/env node
// The tollgate command. TypeScript sources run through tsx's loader: no build step to forget.
import { register } from "tsx/esm/api";

register();
await import("../cli/main.ts");
