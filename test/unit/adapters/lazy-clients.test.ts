import { describe, expect, it } from 'vitest';
import { awaitLazy, lazy, startInOrder } from '../../../lambda/adapters/lazy-clients.js';

/** A load that finishes when the test says so. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('lazy', () => {
  it('does not load until started, loads once, and records when the value became ready', async () => {
    // Prepare
    const pending = deferred<string>();
    let loads = 0;
    let clock = 100;
    const value = lazy(
      () => {
        loads++;
        return pending.promise;
      },
      () => clock,
    );
    expect(loads).toBe(0);

    // Act: start without waiting, then ask twice.
    value.start();
    value.start();
    const first = value.get();
    const second = value.get();
    expect(value.readyAt).toBeUndefined();
    clock = 142;
    pending.resolve('client');

    // Assess
    expect(await first).toBe('client');
    expect(await second).toBe('client');
    expect(loads).toBe(1);
    expect(value.readyAt).toBe(142);
  });

  it('keeps a failed load for whoever awaits it, without an unhandled rejection', async () => {
    // Prepare: a module that cannot be loaded.
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const value = lazy(async () => {
        throw new Error("Cannot find package '@aws-sdk/client-sns'");
      });

      // Act: started in the background, nobody awaits it for a while.
      value.start();
      await new Promise((done) => setTimeout(done, 20));

      // Assess: the failure surfaces where the client is used, every time.
      await expect(value.get()).rejects.toThrow("Cannot find package '@aws-sdk/client-sns'");
      await expect(value.get()).rejects.toThrow("Cannot find package '@aws-sdk/client-sns'");
      expect(value.readyAt).toBeUndefined();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('turns a load that throws at once into a rejection', async () => {
    const value = lazy<string>(() => {
      throw new Error('boom');
    });
    expect(() => value.start()).not.toThrow();
    await expect(value.get()).rejects.toThrow('boom');
  });
});

describe('awaitLazy', () => {
  it('counts only the time spent waiting for a value that was not ready', async () => {
    // Prepare
    let clock = 0;
    const now = () => clock;
    const pending = deferred<string>();
    const value = lazy(() => pending.promise, now);
    const waits = { ms: 0 };
    value.start();

    // Act: wait 30 ms for the load, then use the ready value again.
    const waiting = awaitLazy(value, waits, now);
    clock = 30;
    pending.resolve('client');
    expect(await waiting).toBe('client');
    clock = 90;
    expect(await awaitLazy(value, waits, now)).toBe('client');

    // Assess
    expect(waits.ms).toBe(30);
  });

  it('counts the wait of a failed load too and passes the error on', async () => {
    let clock = 0;
    const now = () => clock;
    const pending = deferred<string>();
    const value = lazy(() => pending.promise, now);
    const waits = { ms: 0 };
    const waiting = awaitLazy(value, waits, now);
    clock = 12;
    pending.reject(new Error('load failed'));
    await expect(waiting).rejects.toThrow('load failed');
    expect(waits.ms).toBe(12);
  });
});

describe('startInOrder', () => {
  it('loads one value at a time in the given order, goes on after a failure, and lets a value jump the queue', async () => {
    // Prepare
    const events: string[] = [];
    const loads = ['ledger', 'logs', 'config', 'sns'].map((name) => ({ name, gate: deferred<string>() }));
    const values = loads.map(({ name, gate }) =>
      lazy(() => {
        events.push(`start ${name}`);
        return gate.promise;
      }),
    );
    const [ledger, logs, config, sns] = values;
    const tick = () => new Promise((done) => setImmediate(done));

    // Act
    startInOrder(values);
    await tick();
    await tick();
    expect(events).toEqual(['start ledger']);
    loads[0]?.gate.resolve('ledger');
    await ledger?.get();
    await tick();
    await tick();
    expect(events).toEqual(['start ledger', 'start logs']);
    // SNS is needed now: it starts before its turn.
    void sns?.get();
    expect(events).toEqual(['start ledger', 'start logs', 'start sns']);
    loads[1]?.gate.reject(new Error('logs client failed to load'));
    await expect(logs?.get()).rejects.toThrow('logs client failed to load');
    await tick();
    await tick();

    // Assess: the configuration client still loads after the failed one.
    expect(events).toEqual(['start ledger', 'start logs', 'start sns', 'start config']);
    loads[2]?.gate.resolve('config');
    loads[3]?.gate.resolve('sns');
    expect(await config?.get()).toBe('config');
    expect(await sns?.get()).toBe('sns');
  });
});
