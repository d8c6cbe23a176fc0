/**
 * Runs tasks one after another per key and concurrently across keys: a session's compactions never
 * overlap, in either store. A failed task does not stop the ones queued behind it (each reports its
 * own failure to its caller).
 */
export class SerialPerKey<K> {
  private readonly tails = new Map<K, Promise<void>>();

  run(key: K, task: () => Promise<void>): Promise<void> {
    const next = (this.tails.get(key) ?? Promise.resolve()).then(task, task);
    this.tails.set(key, next);
    const settle = () => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    };
    next.then(settle, settle);
    return next;
  }

  /** Resolves once everything queued so far has finished, failed or not. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.tails.values()]);
  }
}
