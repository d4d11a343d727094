/** lib/renewing: renewal before the end, on a timer and on demand, and what happens while renewals fail. */
import { Renewing } from '../../runbooks/lib/renewing';

const value = (id: number, lifetimeMs: number) => ({ id, expiration: new Date(Date.now() + lifetimeMs) });

describe('Renewing', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('renews a quarter of a short lifetime before the end, on its timer, and hands the new value out', async () => {
    let next = 1;
    const renew = jest.fn(async () => value((next += 1), 4_000));
    const renewing = new Renewing(value(1, 4_000), { renew, onError: () => undefined });
    await jest.advanceTimersByTimeAsync(2_900);
    expect(renew).not.toHaveBeenCalled();
    expect((await renewing.current()).id).toBe(1);
    await jest.advanceTimersByTimeAsync(200);
    expect(renew).toHaveBeenCalledTimes(1);
    expect((await renewing.current()).id).toBe(2);
    // The next renewal is planned from the new value's own lifetime.
    await jest.advanceTimersByTimeAsync(3_000);
    expect(renew).toHaveBeenCalledTimes(2);
    renewing.stop();
  });

  it('caps the window at maxWindowMs for long lifetimes', async () => {
    const renew = jest.fn(async () => value(2, 900_000));
    const renewing = new Renewing(value(1, 900_000), { renew, onError: () => undefined, maxWindowMs: 60_000 });
    await jest.advanceTimersByTimeAsync(839_000);
    expect(renew).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(renew).toHaveBeenCalledTimes(1);
    renewing.stop();
  });

  it('while renewals fail: the current value until it expires, then the error, with retries spaced out', async () => {
    const errors: unknown[] = [];
    const renew = jest.fn(async (): Promise<{ id: number; expiration: Date }> => {
      throw new Error('AssumeRoot refused');
    });
    const renewing = new Renewing(value(1, 4_000), { renew, onError: (e) => errors.push(e) });
    await jest.advanceTimersByTimeAsync(3_100);
    expect(renew).toHaveBeenCalledTimes(1);
    expect(errors).toHaveLength(1);
    // Still valid: handed out, and a burst of callers does not start a renewal each.
    const burst = await Promise.all([1, 2, 3, 4, 5].map(() => renewing.current()));
    expect(burst.map((v) => v.id)).toEqual([1, 1, 1, 1, 1]);
    expect(renew).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(renew).toHaveBeenCalledTimes(2);
    await expect(renewing.current()).rejects.toThrow('AssumeRoot refused');

    // Once the source recovers, the next attempt brings a fresh value.
    renew.mockImplementation(async () => value(3, 4_000));
    await jest.advanceTimersByTimeAsync(1_500);
    expect((await renewing.current()).id).toBe(3);
    renewing.stop();
  });

  it('after stop() no timer fires', async () => {
    const renew = jest.fn(async () => value(2, 4_000));
    new Renewing(value(1, 4_000), { renew, onError: () => undefined }).stop();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(renew).not.toHaveBeenCalled();
  });
});
