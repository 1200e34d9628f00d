import { type PGlite, parse, protocol, type QueryOptions, type Results, type Transaction } from "@electric-sql/pglite";

// PGlite's query() parses and plans every statement anew, in six calls into its WebAssembly
// PostgreSQL. Usage ingestion on `tollgate start` spent about half of its database time there (the
// bench's all-in-one contender at saturation): the same few statements, one transaction per batch.
// Here each distinct text is parsed once as a named statement, as postgres.js does against PostgreSQL
// (database.ts), and each run is one call: bind, describe, execute, sync. Named statements live on
// PGlite's one connection for the life of the process, so the least recently used are closed past a
// bound (texts that differ per call, such as an IN list's length, would otherwise pile up).

export const MAX_STATEMENTS = 256;

interface Prepared {
  name: string;
  /** Parameter type oids, as the server inferred them: they pick each value's serializer. */
  types: number[];
}

const { serialize } = protocol;

export class PgliteStatements {
  private readonly prepared = new Map<string, Prepared>();
  private sequence = 0;

  constructor(private readonly pg: PGlite) {}

  /** Runs like PGlite's query(); `inTransaction` leaves syncing the files to the commit, as PGlite does. */
  async query<T>(text: string, params: unknown[] = [], options: QueryOptions | undefined, inTransaction: boolean) {
    await this.pg.waitReady;
    return this.pg._runExclusiveQuery(async (): Promise<Results<T>> => {
      const statement = await this.statement(text, options);
      const values = params.map((value, i) => {
        if (value === null || value === undefined) return null;
        const type = statement.types[i] as number;
        const serializer = options?.serializers?.[type] ?? this.pg.serializers[type];
        return serializer ? serializer(value) : String(value);
      });
      const messages = await this.pg.execProtocolStream(
        Buffer.concat([
          serialize.bind({ statement: statement.name, values }),
          serialize.describe({ type: "P" }),
          serialize.execute({}),
          serialize.sync(),
        ]),
        { syncToFs: false },
      );
      if (!inTransaction) await this.pg.syncToFs();
      // PGlite merges a query's own parsers into its ~300 by spreading them, per query: 130 µs on the
      // bench's slowest VM, as their keys are type oids. Layered on the defaults, lookups are the same.
      const parsers = options?.parsers
        ? Object.assign(Object.create(this.pg.parsers) as PGlite["parsers"], options.parsers)
        : this.pg.parsers;
      return parse.parseResults(messages, parsers, { ...options, parsers: undefined })[0] as Results<T>;
    });
  }

  private async statement(text: string, options: QueryOptions | undefined): Promise<Prepared> {
    const known = this.prepared.get(text);
    if (known) {
      // Most recently used last: the first entry is the one to close.
      this.prepared.delete(text);
      this.prepared.set(text, known);
      return known;
    }
    const parts: Uint8Array[] = [];
    const [oldest] = this.prepared;
    if (oldest && this.prepared.size >= MAX_STATEMENTS) {
      // Forgotten before it is closed: never used again even if the close fails with this batch.
      this.prepared.delete(oldest[0]);
      parts.push(serialize.close({ type: "S", name: oldest[1].name }));
    }
    const name = `tollgate_${++this.sequence}`;
    parts.push(
      serialize.parse({ name, text, types: options?.paramTypes ?? [] }),
      serialize.describe({ type: "S", name }),
      serialize.sync(),
    );
    const messages = await this.pg.execProtocolStream(Buffer.concat(parts), { syncToFs: false });
    const statement = { name, types: parse.parseDescribeStatementResults(messages) };
    this.prepared.set(text, statement);
    return statement;
  }
}

/** The PGlite client drizzle is given: every query, in a transaction or not, runs as a named statement. */
export function withNamedStatements(pg: PGlite): PGlite {
  const statements = new PgliteStatements(pg);
  const inTransaction = (tx: Transaction): Transaction =>
    new Proxy(tx, {
      get(target, property, receiver) {
        if (property === "query") {
          return (text: string, params?: unknown[], options?: QueryOptions) => {
            // As PGlite's own: a query on a transaction that ended would otherwise run outside it.
            if (target.closed) return Promise.reject(new Error("Transaction is closed"));
            return statements.query(text, params, options, true);
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });
  return new Proxy(pg, {
    get(target, property) {
      if (property === "query") {
        return (text: string, params?: unknown[], options?: QueryOptions) =>
          statements.query(text, params, options, false);
      }
      if (property === "transaction") {
        return <T>(work: (tx: Transaction) => Promise<T>) => target.transaction((tx) => work(inTransaction(tx)));
      }
      // PGlite's methods use private fields: they run on the client itself, not on this proxy.
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
