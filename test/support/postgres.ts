import { randomBytes } from "node:crypto";
import postgres from "postgres";

// Integration tests run against a real PostgreSQL server (CI sets DATABASE_URL). Each caller gets a
// database of its own, so parallel test files and concurrent CI runs never collide. A missing server
// is a failure, never a skip.
export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tollgate_t_${randomBytes(6).toString("hex")}`;
  const admin = postgres(BASE_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const sql = postgres(BASE_DATABASE_URL, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.end();
      }
    },
  };
}
