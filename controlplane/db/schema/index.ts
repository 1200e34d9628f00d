export * from "./accounts.js";
export * from "./api-keys.js";
export * from "./audit-events.js";
export * from "./config.js";
export * from "./groups.js";
export * from "./model-prices.js";
export * from "./usage-logs.js";
export * from "./users.js";
