import { defineConfig } from "drizzle-kit";

// Regenerate migrations after a schema change: npx drizzle-kit generate --config controlplane/drizzle.config.ts
export default defineConfig({
  dialect: "postgresql",
  schema: "./controlplane/db/schema/index.ts",
  out: "./controlplane/db/migrations",
});
