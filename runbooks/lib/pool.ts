/**
 * A bounded-concurrency worker pool that streams each result to a sink as soon as it may be emitted, so memory
 * stays flat however many items flow through: only in-flight items and (in input order) a bounded reorder window
 * are held at any time.
 */
export type EmitOrder = 'input' | 'completion';

export interface PoolOptions<R> {
  concurrency: number;
  /** 'completion' emits as results arrive; 'input' keeps the source order (deterministic output). */
  order?: EmitOrder;
  /** Receives every result exactly once, never concurrently; awaiting it applies backpressure to the workers. */
  emit: (result: R, index: number) => void | Promise<void>;
  /** In input order, how far workers may run ahead of the oldest unemitted item. Defaults to 4 × concurrency. */
  window?: number;
}

export async function runPool<T, R>(
  source: Iterable<T> | AsyncIterable<T>,
  worker: (item: T, index: number) => Promise<R>,
  options: PoolOptions<R>,
): Promise<number> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
  }
  const inputOrder = options.order === 'input';
  const window = Math.max(options.window ?? options.concurrency * 4, options.concurrency);
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source);

  let pulled = 0;
  let exhausted = false;
  let failure: { error: unknown } | undefined;
  let nextToEmit = 0;
  const parked = new Map<number, R>();
  let emitting: Promise<void> = Promise.resolve();
  let advanced: (() => void)[] = [];

  // Pulls are chained so that indexes follow the source order even though several workers ask at once.
  let pulling: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<{ item: T; index: number } | undefined> => {
    const next = pulling.then(async () => {
      if (exhausted || failure) return undefined;
      const step = await iterator.next();
      if (step.done) {
        exhausted = true;
        return undefined;
      }
      return { item: step.value, index: pulled++ };
    });
    pulling = next.catch(() => undefined);
    return next;
  };

  const emit = (result: R, index: number): Promise<void> => {
    emitting = emitting.then(async () => {
      if (!failure) await options.emit(result, index);
    });
    return emitting;
  };

  const settle = async (index: number, result: R): Promise<void> => {
    if (!inputOrder) return emit(result, index);
    parked.set(index, result);
    let last: Promise<void> = Promise.resolve();
    while (parked.has(nextToEmit)) {
      const ready = parked.get(nextToEmit) as R;
      parked.delete(nextToEmit);
      last = emit(ready, nextToEmit);
      nextToEmit++;
    }
    const waiting = advanced;
    advanced = [];
    waiting.forEach((wake) => wake());
    return last;
  };

  const loop = async (): Promise<void> => {
    for (;;) {
      while (inputOrder && pulled - nextToEmit >= window && !failure) {
        await new Promise<void>((wake) => advanced.push(wake));
      }
      let next: { item: T; index: number } | undefined;
      try {
        next = await pull();
      } catch (error) {
        failure ??= { error };
      }
      if (!next) return;
      try {
        await settle(next.index, await worker(next.item, next.index));
      } catch (error) {
        failure ??= { error };
        advanced.splice(0).forEach((wake) => wake());
        return;
      }
    }
  };

  await Promise.all(Array.from({ length: options.concurrency }, loop));
  await emitting.catch((error: unknown) => {
    failure ??= { error };
  });
  if (failure) {
    await iterator.return?.();
    throw failure.error;
  }
  return pulled;
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
