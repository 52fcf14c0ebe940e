type Waiter<T> = { resolve: (value: T | null) => void; reject: (error: unknown) => void };

/**
 * Collects the ids asked for within one tick and loads them with one request per `batchSize`:
 * a screen of names or attachments costs one round trip, not one per item. An id the answer
 * leaves out resolves to null (the caller may not see it, or it does not exist); a failed
 * request rejects every waiter of its batch.
 */
export class BatchLoader<T> {
  private queued = new Map<string, Waiter<T>[]>();

  constructor(
    private readonly fetchBatch: (ids: string[]) => Promise<Map<string, T>>,
    private readonly batchSize: number,
  ) {}

  load(id: string): Promise<T | null> {
    return new Promise((resolve, reject) => {
      if (!this.queued.size) setTimeout(() => void this.flush(), 0);
      const waiters = this.queued.get(id) ?? [];
      waiters.push({ resolve, reject });
      this.queued.set(id, waiters);
    });
  }

  private async flush() {
    const queued = this.queued;
    this.queued = new Map();
    const ids = [...queued.keys()];
    for (let at = 0; at < ids.length; at += this.batchSize) {
      const batch = ids.slice(at, at + this.batchSize);
      try {
        const found = await this.fetchBatch(batch);
        for (const id of batch)
          for (const waiter of queued.get(id) ?? []) waiter.resolve(found.get(id) ?? null);
      } catch (error) {
        for (const id of batch) for (const waiter of queued.get(id) ?? []) waiter.reject(error);
      }
    }
  }
}
