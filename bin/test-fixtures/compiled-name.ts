import { answer } from "./answer.js";

// Run by ts-loader.test.ts through bin/ts-loader.js: `./answer.js` exists only as answer.ts.
process.stdout.write(`answer: ${answer(41)}\n`);
