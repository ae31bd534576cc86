// Timing and summary helpers shared by the benchmark scripts. Figures are milliseconds.

/** Milliseconds since an arbitrary origin, from the monotonic high-resolution clock. */
export const now = () => Number(process.hrtime.bigint()) / 1e6;

export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  // Nearest-rank: p95 of 20 samples is the 19th, never an interpolated value nobody measured.
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

/** median, p95, min, max and n of a list of samples. */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return { median, p95: quantile(sorted, 0.95), min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/** CPU time (user + system) this process has used, in ms: unlike wall time, barely changed by other work on the machine. */
export const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Runs `fn` `warmup` times untimed, then `runs` times timed; returns the wall-time summary with the
 * median CPU time of the same runs (`cpuMedian`; it includes V8's GC helper threads).
 */
export async function measure(fn, { warmup = 5, runs = 20, before } = {}) {
  for (let i = 0; i < warmup; i++) {
    if (before) await before(i);
    await fn(i);
  }
  const samples = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    if (before) await before(warmup + i);
    const c0 = cpuNow();
    const t0 = now();
    await fn(warmup + i);
    samples.push(now() - t0);
    cpu.push(cpuNow() - c0);
  }
  return { ...summarize(samples), cpuMedian: summarize(cpu).median };
}

export function gc() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
}

export function memory() {
  gc();
  const m = process.memoryUsage();
  const mb = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
  return { heapUsedMB: mb(m.heapUsed), externalMB: mb(m.external), arrayBuffersMB: mb(m.arrayBuffers), rssMB: mb(m.rss), gcExposed: typeof globalThis.gc === 'function' };
}

/** Children report their results on one stdout line starting with this marker. */
export const RESULT_MARKER = '@@BENCH_RESULT ';

export function report(result) {
  process.stdout.write(RESULT_MARKER + JSON.stringify(result) + '\n');
}

export const fmt = (ms) => (ms === undefined || Number.isNaN(ms) ? '—' : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
