import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../db/database.js";
import { rollUpLogs } from "../db/usage-rollups.js";
import { GRAINS, PERIODS } from "./rollup-grains.js";
import { DAY_MS } from "./utc-buckets.js";

// Synthetic usage for benchmarks (npm run bench: GetUsageStats over a million logs): rows made by
// generate_series inside PostgreSQL, rolled up in the same statement, so a million rows take seconds.
// The mix is shaped like a gateway's: each key sticks to two accounts and two models (sessions are
// sticky), keys belong to users and groups, times are spread over the last `days` to the millisecond.

export interface SyntheticUsageOptions {
  rows: number;
  /** Logs fall in the `days` before `end`. */
  days?: number;
  end?: Date;
  keys?: number;
  accounts?: number;
  /** Request ids are `${prefix}-${n}`, so seeds with different prefixes add up. */
  prefix?: string;
}

export interface SyntheticUsage {
  /** The ids the rows use, for filters: `syn-key-0`…, `syn-user-0`…, `syn-acct-0`…, the models. */
  keys: number;
  users: number;
  accounts: number;
  models: readonly string[];
  start: Date;
  end: Date;
}

const MODELS = ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1", "gpt-5", "gpt-5-mini", "gemini-2.5-pro"];
const CHUNK = 100_000;

export async function seedSyntheticUsage(db: Db, options: SyntheticUsageOptions): Promise<SyntheticUsage> {
  const keys = options.keys ?? 200;
  const users = Math.max(1, Math.floor(keys / 4));
  const accounts = options.accounts ?? 20;
  const end = options.end ?? new Date();
  const spanMs = (options.days ?? 30) * DAY_MS;
  const prefix = options.prefix ?? "syn";
  const models = `array[${MODELS.map((m) => `'${m}'`).join(",")}]`;
  for (let from = 0; from < options.rows; from += CHUNK) {
    const to = Math.min(options.rows, from + CHUNK) - 1;
    // k: the key; two accounts and two models per key; prices of $3/$15/$3.75/$0.30 per MTok.
    const logs = sql`insert into usage_logs (request_id, user_id, api_key_id, api_key_name, account_id, group_id,
        platform, model, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost, actual_cost,
        stream, status_code, duration_ms, first_token_ms, ip_address, user_agent, estimated, created_at)
      select ${prefix} || '-' || g, 'syn-user-' || (k % ${users}), 'syn-key-' || k, 'key ' || k,
        'syn-acct-' || ((k * 7 + g % 2) % ${accounts}), 'syn-group-' || (k % 3), 'anthropic',
        (${sql.raw(models)})[1 + (k + (g / 2) % 2) % ${MODELS.length}], i, o, cw, cr,
        (i * 3 + o * 15 + cw * 3.75 + cr * 0.3) / 1000000, (i * 3 + o * 15 + cw * 3.75 + cr * 0.3) / 1000000,
        g % 5 > 0, 200, 300 + (g * 37) % 30000, 100 + (g * 11) % 2000, '127.0.0.1', 'claude-cli/2.1.0', false,
        ${end.toISOString()}::timestamptz - ((g::bigint * 2654435761) % ${spanMs}) * interval '1 millisecond'
      from (select g, (g * 7919) % ${keys} as k, 200 + (g * 31) % 30000 as i, 20 + (g * 17) % 4000 as o,
              (g * 11) % 3000 as cw, (g * 13) % 60000 as cr
            from generate_series(${from}::bigint, ${to}::bigint) g) s
      returning *`;
    const rollups = GRAINS.flatMap((grain) => PERIODS.map((period) => rollUpLogs(grain, period, sql`logs`)));
    const [last, ...others] = rollups.reverse();
    const ctes = others.map((rollup, i) => sql`, r${sql.raw(String(i))} as (${rollup})`);
    await queryRows(db, sql`with logs as (${logs})${sql.join(ctes, sql``)} ${last}`);
  }
  await queryRows(db, sql`analyze`);
  return { keys, users, accounts, models: MODELS, start: new Date(end.getTime() - spanMs), end };
}
