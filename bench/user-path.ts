// The user-path table: what a user of the library or the CLI gets, next to the codec table.
// Read drivers live in user-read.ts, write drivers in user-write.ts; run.ts prints one table.

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

export const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export function printUserTable(rows: readonly UserRow[]): void {
  console.log('\n| op | driver | fixture | value | unit | ratio | ratio by CPU time |');
  console.log('|---|---|---|---:|---|---:|---:|');
  for (const r of rows) console.log(`| ${r.op} | ${r.driver} | ${r.fixture} | ${r.value.toLocaleString('en-US')} | ${r.unit} | ${r.ratio ?? ''} | ${r.cpuRatio ?? ''} |`);
}
