// Collects the calls made during one event-loop turn and sends them as one: under load many requests
// start and end per turn, and each Redis command costs this process more than its script costs Redis.
// The batch goes out in the turn's check phase (setImmediate), where auto-pipelining would send it.
// A call nobody waits for can be deferred: it rides along with the next batch, or goes after deferMs.

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class TurnBatch<T, R> {
  private queued: Waiting<T, R>[] = [];
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Batches sent and not yet answered: close() waits for them too. */
  private readonly sending = new Set<Promise<void>>();

  /** `send` answers with one result per item, in order. */
  constructor(private readonly send: (items: readonly T[]) => Promise<readonly R[]>) {}

  /** Sent at the end of this turn, or with deferMs within that long (with the next batch if sooner). */
  add(item: T, deferMs?: number): Promise<R> {
    if (this.closed) return Promise.reject(new Error("the routing store is closed"));
    return new Promise((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      if (deferMs === undefined) this.immediate ??= setImmediate(() => this.flush());
      else if (this.immediate === undefined) this.timer ??= setTimeout(() => this.flush(), deferMs);
    });
  }

  /** Sends what is queued now and refuses later calls; resolves once every batch is answered. */
  async close(): Promise<void> {
    this.closed = true;
    this.flush();
    await Promise.all(this.sending);
  }

  private flush(): void {
    clearImmediate(this.immediate);
    clearTimeout(this.timer);
    this.immediate = this.timer = undefined;
    const batch = this.queued;
    if (batch.length === 0) return;
    this.queued = [];
    const sent = this.answer(batch);
    this.sending.add(sent);
    void sent.finally(() => this.sending.delete(sent));
  }

  private async answer(batch: readonly Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.send(batch.map((entry) => entry.item));
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} got ${results.length} answers`);
      for (let i = 0; i < batch.length; i++) batch[i]?.resolve(results[i] as R);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
