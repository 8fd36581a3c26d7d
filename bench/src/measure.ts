/**
 * A thin layer over tinybench: runs a group of tasks that each process a known number of bytes,
 * and reports throughput (MB/s = 10^6 bytes per second) as median and range over the samples.
 */
import { Bench } from 'tinybench';

/** One measured task. */
export interface Throughput {
  readonly name: string;
  /** Median throughput in MB/s. */
  readonly median: number;
  /** Slowest and fastest sample in MB/s. */
  readonly min: number;
  readonly max: number;
  readonly samples: number;
}

/** A task: a function that processes `bytes` bytes per call. */
export interface ThroughputTask {
  readonly name: string;
  readonly bytes: number;
  readonly fn: () => unknown | Promise<unknown>;
}

export interface MeasureOptions {
  /** Time budget per task in ms. */
  readonly time?: number;
  /** Minimum calls per task. */
  readonly iterations?: number;
  readonly warmupTime?: number;
}

/** Runs the tasks one after another in one process (so ratios compare like with like). */
export async function measureThroughput(tasks: readonly ThroughputTask[], options: MeasureOptions = {}): Promise<Throughput[]> {
  const bench = new Bench({
    time: options.time ?? 3000,
    iterations: options.iterations ?? 5,
    warmupTime: options.warmupTime ?? 500,
    warmupIterations: 2,
    retainSamples: true,
  });
  for (const task of tasks) bench.add(task.name, task.fn);
  await bench.run();
  return tasks.map((task, i) => {
    const result = bench.tasks[i]!.result;
    if (result.state !== 'completed') {
      const error = 'error' in result ? String((result as { error: unknown }).error) : result.state;
      throw new Error(`bench task ${task.name} did not complete: ${error}`);
    }
    const mbps = (ms: number) => task.bytes / 1e6 / (ms / 1000);
    return {
      name: task.name,
      median: mbps(result.latency.p50),
      min: mbps(result.latency.max),
      max: mbps(result.latency.min),
      samples: result.latency.samplesCount,
    };
  });
}

/** Formats MB/s for a table. */
export function formatMbps(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}
