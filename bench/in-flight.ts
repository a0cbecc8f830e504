import { performance } from 'node:perf_hooks';

export interface LoadRun {
  /** Milliseconds each task took, in task order. */
  latenciesMs: number[];
  elapsedMs: number;
  perSecond: number;
}

/** Runs `count` tasks keeping `inFlight` of them running at once, timing each one and the whole run. */
export const runInFlight = async (
  count: number,
  inFlight: number,
  task: (index: number) => Promise<void>,
): Promise<LoadRun> => {
  const latenciesMs = new Array<number>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const started = performance.now();
      await task(index);
      latenciesMs[index] = performance.now() - started;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  const elapsedMs = performance.now() - started;
  return { latenciesMs, elapsedMs, perSecond: (count / elapsedMs) * 1000 };
};
