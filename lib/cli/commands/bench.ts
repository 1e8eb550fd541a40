// auditcast bench: runs the benchmark table (bench/run.ts) when this copy of auditcast has it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, helpText } from '../command.js';
import { CliError } from '../errors.js';

const NAME = 'bench';

/** The package root: dist/cli/commands → ../../.. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const benchCommand: Command = {
  name: NAME,
  summary: 'run the benchmark table (bench/run.ts): native vs JS vs naive vs the zlib limit',
  help: helpText(
    'auditcast bench [-- BENCH-ARGS...]',
    'Runs bench/run.ts from a source checkout (needs the dev dependencies: tsx, tinybench).\nArguments after -- go to the benchmark script.',
    [],
  ),
  async run(argv) {
    const sep = argv.indexOf('--');
    const own = sep < 0 ? argv : argv.slice(0, sep);
    const extra = sep < 0 ? [] : argv.slice(sep + 1);
    const unknown = own.filter((a) => a !== '--debug' && !a.startsWith('--data-dir'));
    if (unknown.length > 0) throw new CliError(`unexpected argument ${JSON.stringify(unknown[0])} (pass benchmark arguments after --)`, 2);
    const script = path.join(ROOT, 'bench', 'run.ts');
    if (!existsSync(script)) {
      throw new CliError(`no benchmarks in this copy of auditcast (${script} is missing); run 'auditcast bench' from a source checkout`);
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
