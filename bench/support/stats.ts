/** Percentiles and mean of a series of timings, in the unit they were taken in. */
export type Summary = { count: number; p50: number; p95: number; mean: number }

/** Nearest-rank percentile of sorted values: the smallest value with `p` percent at or below it. */
function percentile(sorted: number[], p: number) {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]
}

export function summarize(samples: number[]): Summary {
  if (!samples.length) throw new Error('No samples to summarize')
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  }
}
