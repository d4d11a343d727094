import { runPool } from '../../runbooks/lib/pool';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runPool', () => {
  it('never runs more than `concurrency` workers at once and emits every result once', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const count = await runPool(
      Array.from({ length: 50 }, (_, i) => i),
      async (n) => {
        running++;
        peak = Math.max(peak, running);
        await sleep((n * 7) % 5);
        running--;
        return n * 2;
      },
      { concurrency: 4, order: 'completion', emit: (r) => void seen.push(r) },
    );
    expect(count).toBe(50);
    expect(peak).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  });

  it('keeps input order when asked, even when later items finish first', async () => {
    const seen: number[] = [];
    await runPool([30, 1, 20, 2, 10, 3], async (ms) => (await sleep(ms), ms), {
      concurrency: 6,
      order: 'input',
      emit: (r) => void seen.push(r),
    });
    expect(seen).toEqual([30, 1, 20, 2, 10, 3]);
  });

  it('bounds the reorder window so one slow item cannot make the pool hold everything', async () => {
    let started = 0;
    let startedWhileFirstRan = 0;
    let firstDone = false;
    await runPool(
      Array.from({ length: 100 }, (_, i) => i),
      async (n) => {
        started++;
        if (n === 0) {
          await sleep(50);
          startedWhileFirstRan = started;
          firstDone = true;
        }
        return n;
      },
      { concurrency: 2, order: 'input', window: 8, emit: () => undefined },
    );
    expect(firstDone).toBe(true);
    expect(startedWhileFirstRan).toBeLessThanOrEqual(8);
  });

  it('consumes an async source lazily', async () => {
    let produced = 0;
    async function* source() {
      for (let i = 0; i < 20; i++) {
        produced++;
        yield i;
      }
    }
    let maxAhead = 0;
    let emitted = 0;
    await runPool(source(), async (n) => (await sleep(1), n), {
      concurrency: 3,
      order: 'completion',
      emit: () => {
        emitted++;
        maxAhead = Math.max(maxAhead, produced - emitted);
      },
    });
    expect(emitted).toBe(20);
    expect(maxAhead).toBeLessThanOrEqual(3);
  });

  it('waits for a slow sink (backpressure) and rethrows a sink failure after in-flight work ends', async () => {
    let inFlight = 0;
    let peak = 0;
    const failing = runPool(
      Array.from({ length: 10 }, (_, i) => i),
      async (n) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        inFlight--;
        return n;
      },
      {
        concurrency: 2,
        emit: async (n) => {
          await sleep(2);
          if (n === 3) throw new Error('disk full');
        },
      },
    );
    await expect(failing).rejects.toThrow('disk full');
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('refuses a concurrency that is not a positive integer', async () => {
    await expect(runPool([1], async (n) => n, { concurrency: 0, emit: () => undefined })).rejects.toThrow(
      /positive integer/,
    );
  });
});
