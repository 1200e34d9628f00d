// Runs a task on request, at most once per interval, and lets every request wait for a run that began
// after it. The first request after a quiet interval runs at once (an idle system answers quickly);
// requests made while a run is in flight, or within the interval after one began, share the next run.

interface Waiters {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function waiters(): Waiters {
  let resolve: () => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class CoalescedRuns {
  #next: Waiters | undefined;
  #running: Promise<void> | undefined;
  #lastStart = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  /** Resolves once a run that began after this call has finished; rejects with that run's error. */
  request(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("closed"));
    const next = this.#next ?? waiters();
    if (!this.#next) {
      this.#next = next;
      this.#schedule();
    }
    return next.promise;
  }

  /** Stops scheduling; requests still waiting are rejected, a run in flight is awaited. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#next?.reject(new Error("closed"));
    this.#next = undefined;
    await this.#running;
  }

  #schedule(): void {
    if (this.#running || this.#timer || this.#closed) return;
    const wait = this.#lastStart + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.#start();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#start();
    }, wait);
  }

  #start(): void {
    const current = this.#next;
    if (!current) return;
    this.#next = undefined;
    this.#lastStart = Date.now();
    this.#running = this.task().then(current.resolve, current.reject);
    this.#running.finally(() => {
      this.#running = undefined;
      if (this.#next) this.#schedule();
    });
  }
}
