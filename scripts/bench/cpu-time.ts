import type { Feeds } from '../../src/runtime/tensors.js';
import type { Session } from '../../src/runtime/session.js';

/**
 * The micro-benchmarks' timing: `repeats` rounds of `runs` session runs each, as CPU milliseconds per run
 * (the process's user + system time: steadier than the wall clock on a shared machine), sorted ascending.
 */
export async function cpuMsPerRun(
  session: Session,
  feeds: Feeds,
  runs: number,
  repeats: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.cpuUsage();
    for (let s = 0; s < runs; s++) await session.run(feeds);
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000 / runs);
  }
  return times.sort((a, b) => a - b);
}
