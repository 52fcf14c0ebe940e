import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Imported first by every benchmark server entry, so it runs in the server's own process: an
 * event-loop delay histogram (`monitorEventLoopDelay`) from start-up on. On SIGUSR2 the process
 * prints what the histogram saw since the last SIGUSR2 as one JSON line
 * (`{"msg":"loop-delay",...}`, read by bench/loop-delay.ts) and starts afresh, so the benchmark
 * can bracket any window from outside without changing the server. Delays include the sampling
 * interval: an idle loop reads about `resolution` ms.
 */
const LOOP_RESOLUTION_MS = Number(process.env.BENCH_LOOP_RESOLUTION_MS ?? 10);
const histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
histogram.enable();
const ms = (nanoseconds: number) => Number((nanoseconds / 1e6).toFixed(2));
process.on('SIGUSR2', () => {
  console.log(
    JSON.stringify({
      msg: 'loop-delay',
      resolutionMs: LOOP_RESOLUTION_MS,
      samples: histogram.count,
      maxMs: ms(histogram.max),
      p99Ms: ms(histogram.percentile(99)),
    }),
  );
  histogram.reset();
});
