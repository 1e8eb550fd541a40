// The user-path table: what a user of the library or the CLI gets, next to the codec table.
// Read drivers live in user-read.ts, write drivers in user-write.ts; run.ts prints one table.
import { readFileSync } from 'node:fs';

export interface UserRow {
  /** read, write or process (a whole CLI process). */
  op: string;
  /** What was run, as a user would call it. */
  driver: string;
  fixture: string;
  value: number;
  /** Unit of value: 'MB/s', 'events/s', 'ms', 'MiB'. */
  unit: string;
  /** value relative to the row's reference (named in the driver or the table note), or null. */
  ratio: number | null;
  /**
   * The same ratio by CPU time (process.cpuUsage, all threads) instead of wall time, for drivers that
   * run on one thread: on a machine shared with other work, wall time mostly measures the neighbours.
   */
  cpuRatio?: number | null;
}

export interface UserPathOptions {
  quick: boolean;
  /** One line of progress (run.ts writes it to stderr with the elapsed time). */
  progress: (message: string) => void;
}

/** Best (least) wall time in ms of `iterations` runs after one warm-up; the machine is shared. */
export async function bestOf(iterations: number, run: () => unknown): Promise<number> {
  await run();
  let best = Infinity;
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** Like bestOf, also the least CPU time (user + system, every thread of the process) of the runs. */
export async function bestOfWithCpu(iterations: number, run: () => unknown): Promise<{ ms: number; cpuMs: number }> {
  await run();
  let ms = Infinity;
  let cpuMs = Infinity;
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    await run();
    const used = process.cpuUsage(cpu);
    ms = Math.min(ms, performance.now() - started);
    cpuMs = Math.min(cpuMs, (used.user + used.system) / 1000);
  }
  return { ms, cpuMs };
}

/**
 * CPU time (user + system, ms) of every child process this one has waited for so far (Linux
 * /proc/self/stat cutime + cstime, 10 ms ticks); null where there is no /proc.
 */
export function childrenCpuMs(): number | null {
  try {
    // The fields after the command name (which may hold spaces), from field 3 (state) on.
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ').pop()!.split(' ');
    return (Number(fields[16 - 3]) + Number(fields[17 - 3])) * 10;
  } catch {
    return null;
  }
}

export interface ProcessTime {
  ms: number;
  /** CPU time of the child process (every thread), null without /proc. */
  cpuMs: number | null;
}

/**
 * Whole-process drivers (each run starts and waits for a child): one warm-up each, then
 * `iterations` rounds running each driver in turn, so that all of them see the same neighbours'
 * load; the best wall time and the best CPU time of each.
 */
export async function alternate(runs: readonly (() => unknown)[], iterations: number): Promise<ProcessTime[]> {
  for (const run of runs) await run();
  const best: ProcessTime[] = runs.map(() => ({ ms: Infinity, cpuMs: Infinity }));
  for (let i = 0; i < iterations; i++) {
    for (const [k, run] of runs.entries()) {
      const started = performance.now();
      const cpu = childrenCpuMs();
      await run();
      const used = childrenCpuMs();
      best[k].ms = Math.min(best[k].ms, performance.now() - started);
      best[k].cpuMs = cpu === null || used === null || best[k].cpuMs === null ? null : Math.min(best[k].cpuMs!, used - cpu);
    }
  }
  return best;
}

/** Rows of alternated processes: ratio = the last one's time (the reference) over each one's, by wall and CPU time. */
export function processRows(names: readonly string[], times: readonly ProcessTime[], fixture: string): UserRow[] {
  const reference = times[times.length - 1];
  return names.map((driver, i) => ({
    op: 'process', driver, fixture, value: round(times[i].ms, 0), unit: 'ms', ratio: round(reference.ms / times[i].ms, 2),
    cpuRatio: reference.cpuMs && times[i].cpuMs ? round(reference.cpuMs / times[i].cpuMs!, 2) : null,
  }));
}

export const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export function printUserTable(rows: readonly UserRow[]): void {
  console.log('\n| op | driver | fixture | value | unit | ratio | ratio by CPU time |');
  console.log('|---|---|---|---:|---|---:|---:|');
  for (const r of rows) console.log(`| ${r.op} | ${r.driver} | ${r.fixture} | ${r.value.toLocaleString('en-US')} | ${r.unit} | ${r.ratio ?? ''} | ${r.cpuRatio ?? ''} |`);
}
