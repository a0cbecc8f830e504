/** Latency figures from raw samples: nearest-rank percentiles over the sorted samples. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** The nearest-rank percentile (the smallest sample at or above p% of them): no interpolation, no smoothing. */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) throw new RangeError('no samples');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
};

export const summarise = (samples: readonly number[]): LatencySummary => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: percentile(sorted, 100),
    mean: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
  };
};

export const median = (samples: readonly number[]): number => summarise(samples).p50;
