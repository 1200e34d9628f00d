import type { UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { BatchResult } from "./ingest.js";

// Group commit for usage: batches arriving from every ReportUsage stream wait here, and each free writer
// applies all that waits (up to a record budget) in one transaction. Per-transaction costs (statements,
// commit, lock hand-over on shared users and keys) are paid once per group rather than per batch, and
// batches that share keys aggregate into fewer rollup and charge rows. A group that fails is retried
// batch by batch, so one bad batch fails alone.

export type ApplyBatches = (batches: readonly (readonly UsageRecord[])[], writer: number) => Promise<BatchResult[]>;

interface Waiting {
  records: readonly UsageRecord[];
  resolve(result: BatchResult): void;
  reject(error: unknown): void;
}

export class IngestQueue {
  readonly #waiting: Waiting[] = [];
  readonly #idle: number[];
  readonly #running = new Set<Promise<void>>();
  #closed = false;

  constructor(
    private readonly apply: ApplyBatches,
    writers: number,
    private readonly maxRecords: number,
  ) {
    this.#idle = Array.from({ length: writers }, (_, i) => i);
  }

  submit(records: readonly UsageRecord[]): Promise<BatchResult> {
    if (this.#closed) return Promise.reject(new Error("usage ingestion is closed"));
    return new Promise((resolve, reject) => {
      this.#waiting.push({ records, resolve, reject });
      this.#dispatch();
    });
  }

  /** Refuses new batches and those still waiting; awaits the groups being applied. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiting of this.#waiting.splice(0)) waiting.reject(new Error("usage ingestion is closed"));
    await Promise.all(this.#running);
  }

  #dispatch(): void {
    while (this.#idle.length > 0 && this.#waiting.length > 0) {
      const writer = this.#idle.shift() as number;
      const group = [this.#waiting.shift() as Waiting];
      let records = group[0]?.records.length ?? 0;
      while (this.#waiting.length > 0 && records + (this.#waiting[0]?.records.length ?? 0) <= this.maxRecords) {
        const next = this.#waiting.shift() as Waiting;
        records += next.records.length;
        group.push(next);
      }
      const run = this.#run(writer, group).finally(() => {
        this.#running.delete(run);
        this.#idle.push(writer);
        this.#dispatch();
      });
      this.#running.add(run);
    }
  }

  async #run(writer: number, group: Waiting[]): Promise<void> {
    try {
      const results = await this.apply(
        group.map((g) => g.records),
        writer,
      );
      for (const [i, waiting] of group.entries()) waiting.resolve(results[i] as BatchResult);
    } catch (error) {
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
      for (const alone of group) {
        await this.apply([alone.records], writer).then(
          ([result]) => alone.resolve(result as BatchResult),
          (failure: unknown) => alone.reject(failure),
        );
      }
    }
  }
}
