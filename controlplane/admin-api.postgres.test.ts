import { describe } from "vitest";
import { defineAdminApiSuite } from "./admin-api.case.js";

describe("admin API on PostgreSQL", () => defineAdminApiSuite("postgres"));
