// Long analyses as generators: driven to the end at once by the pure API (linter, tests), or in
// short slices by the server, which yields to the event loop between them and can stop them.

/** Work that yields (no value) between units and returns its result at the end. */
export type Steps<T> = Generator<void, T, void>;

/** Runs every step now: the synchronous API over the same work the server slices. */
export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * Runs the steps in slices of about `sliceMs`, letting the event loop run between slices (other
 * requests, `$/cancelRequest`, document changes). `checkpoint` runs after each pause and throws to
 * stop the work: the generator is closed (its `finally` blocks run) and the error passes on.
 */
export async function runSliced<T>(steps: Steps<T>, checkpoint: () => void, sliceMs = 8): Promise<T> {
  let sliceEnd = performance.now() + sliceMs;
  try {
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      if (performance.now() < sliceEnd) continue;
      // setImmediate, not a timer: the connection's reads (poll phase) run before it, no clamping.
      await new Promise((resolve) => setImmediate(resolve));
      checkpoint();
      sliceEnd = performance.now() + sliceMs;
    }
  } finally {
    steps.return(undefined as T);
  }
}
