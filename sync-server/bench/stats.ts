/** Nearest-rank percentile (0 < q <= 1) of unsorted samples; null when there are none. */
export function percentile(samples: readonly number[], q: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? null;
}

export const round = (value: number | null, digits = 2): number | null =>
  value === null ? null : Number(value.toFixed(digits));
