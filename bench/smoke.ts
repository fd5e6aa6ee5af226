/**
 * BENCH_SMOKE=1 runs a benchmark at smoke size: every code path once, so what makes a benchmark
 * throw (a script that no longer starts, a handler that stops allowing its token, a peer that
 * does not answer) still fails, with loop counts too small for the figures to mean anything. CI runs the benchmarks
 * this way (task bench:smoke), so a broken benchmark fails CI instead of the next person to
 * measure; measurements come from `npm run bench` only.
 */
export const SMOKE = process.env.BENCH_SMOKE === '1';

/** `full` for a measurement, `smoke` at smoke size. */
export function scaled<T>(full: T, smoke: T): T {
  return SMOKE ? smoke : full;
}

/** Printed first by every benchmark at smoke size. */
export function smokeBanner(): void {
  if (SMOKE) console.log('BENCH_SMOKE=1: smoke size, every path run once; the figures below are NOT measurements.');
}
