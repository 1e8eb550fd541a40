// auditcast bench: runs the benchmark table (bench/run.ts) when this copy of auditcast has it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommand } from '../args.js';
import { type Command, helpText } from '../command.js';
import { CliError } from '../errors.js';

const NAME = 'bench';

/** The package root: dist/cli/commands → ../../.. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const benchCommand: Command = {
  name: NAME,
  summary: 'run the benchmark table (bench/run.ts): native vs JS vs naive vs the zlib limit',
  help: helpText(
    'auditcast bench [--quick] [--json] [--no-rss] [-- BENCH-ARGS...]',
    [
      'Runs the benchmark table (bench/run.ts) from a source checkout: MB/s and events/s of the',
      'native and JS codecs, a naive pipeline and the zlib limit on the real corpus. Needs the dev',
      'dependencies (tsx, tinybench) and the native addon. Arguments after -- go to the script.',
    ].join('\n'),
    [
      ['--quick', 'fewer iterations'],
      ['--json', 'print the table as JSON'],
      ['--no-rss', 'skip the peak-memory run on a 1 GiB recording'],
    ],
  ),
  async run(argv) {
    const { values, positionals } = parseCommand(NAME, argv, { quick: { type: 'boolean' }, json: { type: 'boolean' }, 'no-rss': { type: 'boolean' } });
    const extra = [
      ...(values.quick === true ? ['--quick'] : []),
      ...(values.json === true ? ['--json'] : []),
      ...(values['no-rss'] === true ? ['--no-rss'] : []),
      ...positionals,
    ];
    const script = path.join(ROOT, 'bench', 'run.ts');
    if (!existsSync(script)) {
      throw new CliError(`no benchmark table here: ${script} is missing (the benchmarks ship with the source checkout, not the npm package)`);
    }
    let tsx: string;
    try {
      tsx = createRequire(path.join(ROOT, 'package.json')).resolve('tsx');
    } catch {
      throw new CliError('the benchmarks need the dev dependencies (tsx); run npm install in the source checkout');
    }
    void tsx;
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, ...extra], { cwd: ROOT, stdio: 'inherit' });
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
    });
  },
};
