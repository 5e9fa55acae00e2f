/**
 * Loading the AWS SDK when it is needed, not when the handler's module is imported. Importing six SDK clients takes
 * about 200 ms in a fresh Node.js process (the shared Smithy core, then each client's commands): with static
 * imports that is all init time before the first invocation can start. The handler instead starts every load at the
 * start of its first invocation, one client after another in the order they are first needed (`startInOrder`), and
 * awaits each client only where it is first used, so the loads the later steps need (the configuration checks' API
 * Gateway and Lambda clients, SNS) overlap the network calls of the earlier ones (the ledger claim, the log reads).
 */

/** A value built once from a module that is loaded on demand. */
export interface Lazy<T> {
  /** Starts loading, once, without waiting; a failure is kept for `get` (never an unhandled rejection). */
  start(): void;
  /** The value, loading it first if that has not started; rejects with the load's error. */
  get(): Promise<T>;
  /** Milliseconds (of the given clock) at which the value became ready; undefined while loading or after a failure. */
  readonly readyAt: number | undefined;
}

/** A {@link Lazy} around `load` (called at most once). */
export function lazy<T>(load: () => Promise<T>, now: () => number = () => performance.now()): Lazy<T> {
  let promise: Promise<T> | undefined;
  let readyAt: number | undefined;
  const get = (): Promise<T> => {
    if (promise === undefined) {
      promise = (async () => {
        const value = await load();
        readyAt = now();
        return value;
      })();
      // Started in the background, a failed load is reported to whoever awaits it, not as an unhandled rejection.
      promise.catch(() => undefined);
    }
    return promise;
  };
  return {
    start: () => void get(),
    get,
    get readyAt() {
      return readyAt;
    },
  };
}

/**
 * Starts the loads one after another, in the order given (the order the invocation first needs them). Loading a
 * client is CPU work on the one JavaScript thread (the SDK's modules are CommonJS, required synchronously), so loads
 * started together only delay each other: one at a time, the first client is ready soonest, and each next load
 * waits for pending I/O callbacks first (`setImmediate`), so a request the previous client just sent goes out before
 * the thread is busy again. A value that is awaited before its turn starts loading at once; a failed load does not
 * stop the ones after it (its error is kept for whoever awaits it).
 */
export function startInOrder(values: readonly Lazy<unknown>[]): void {
  let previous: Promise<unknown> = Promise.resolve();
  for (const value of values) {
    previous = previous
      .then(() => new Promise((next) => setImmediate(next)))
      .then(() => value.get())
      .catch(() => undefined);
  }
}

/**
 * Awaits `lazy`, adding the time spent waiting to `waits` (the part of the load that did not overlap other work).
 */
export async function awaitLazy<T>(value: Lazy<T>, waits: { ms: number }, now: () => number): Promise<T> {
  if (value.readyAt !== undefined) return value.get();
  const started = now();
  try {
    return await value.get();
  } finally {
    waits.ms += now() - started;
  }
}
