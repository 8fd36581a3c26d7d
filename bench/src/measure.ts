/**
 * A thin layer over tinybench: runs a group of tasks that each process a known number of bytes
 * (or operations) per call, and reports the rate (MB/s = 10^6 bytes per second, or ops/s) as
 * median and range over the samples. The tasks are interleaved in rounds (each round runs every
 * task in turn, starting one further each time), so that a burst of load from other processes on
 * this shared machine hits all of them alike and ratios within a group stay fair.
 */
import { Bench } from 'tinybench';

/** Rate unit of a row. */
export type Unit = 'MB/s' | 'ops/s';

/** One measured task. */
export interface Throughput {
  readonly name: string;
  readonly unit: Unit;
  /** Median rate. */
  readonly median: number;
  /** Slowest and fastest sample. */
  readonly min: number;
  readonly max: number;
  readonly samples: number;
}

/** A task: a function that processes `bytes` bytes (or `ops` operations) per call. */
export interface ThroughputTask {
  readonly name: string;
  readonly bytes?: number;
  readonly ops?: number;
  readonly fn: () => unknown;
}

export interface MeasureOptions {
  /** Rounds over all tasks (default 5). */
  readonly rounds?: number;
  /** Minimum calls per task and round (default 1). */
  readonly iterations?: number;
  /** Time budget per task and round in ms (default 0: `iterations` calls). */
  readonly time?: number;
  /** Warm-up calls per task, in the first round only (default 1). */
  readonly warmupIterations?: number;
}

/** Runs the tasks in interleaved rounds in this process and returns one row per task. */
export async function measureThroughput(tasks: readonly ThroughputTask[], options: MeasureOptions = {}): Promise<Throughput[]> {
  const rounds = options.rounds ?? 5;
  const samples = tasks.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({
      time: options.time ?? 0,
      iterations: options.iterations ?? 1,
      warmup: round === 0,
      warmupTime: 0,
      warmupIterations: options.warmupIterations ?? 1,
      retainSamples: true,
      throws: true,
    });
    // Each round starts one task further, so that no task always follows the same one (a task
    // leaving garbage behind would otherwise always tax the same neighbour).
    const order = tasks.map((_, i) => (i + round) % tasks.length);
    // An AsyncFunction, so that tinybench does not probe a plain function by calling it once
    // (unawaited: a promise-returning task would then run concurrently with its own samples).
    for (const i of order) bench.add(tasks[i]!.name, async () => { await tasks[i]!.fn(); });
    await bench.run();
    order.forEach((i, position) => {
      const result = bench.tasks[position]!.result;
      if (result.state !== 'completed') throw new Error(`bench task ${tasks[i]!.name} did not complete: ${result.state}`);
      samples[i]!.push(...(result.latency.samples ?? []));
    });
  }
  return tasks.map((task, i) => {
    const amount = task.bytes !== undefined ? task.bytes / 1e6 : task.ops ?? 1;
    const rates = samples[i]!.map((ms) => amount / (ms / 1000)).sort((a, b) => a - b);
    return {
      name: task.name,
      unit: task.bytes !== undefined ? 'MB/s' : 'ops/s',
      median: median(rates),
      min: rates[0] ?? 0,
      max: rates[rates.length - 1] ?? 0,
      samples: rates.length,
    };
  });
}

/** Median of sorted numbers. */
export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Formats a rate for a table. */
export function formatRate(value: number): string {
  if (value >= 10_000) return Math.round(value).toLocaleString('en-US');
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}
